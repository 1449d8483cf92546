import sqlite3

from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        # A file database in the run's /tmp: SQLite's unix VFS over the
        # runtime's file system (open, locks, fsync, truncate).
        con = sqlite3.connect("/tmp/notes.db")
        con.execute("create table if not exists notes(id integer primary key, text text not null)")
        with con:
            con.executemany("insert into notes(text) values (?)", [("héllo",), ("wörld",), ("中文",)])
        rows = con.execute("select id, text, length(text) from notes order by id").fetchall()
        con.execute("create virtual table docs using fts5(body)")
        con.execute("insert into docs values ('the quick brown fox'), ('lazy dogs')")
        match = con.execute("select body from docs where docs match 'quick'").fetchone()[0]
        doc = con.execute("select json_object('n', count(*), 'pi', round(pi(), 3)) from notes").fetchone()[0]
        blob = con.serialize()
        con.close()
        return Response.json({
            "sqlite": sqlite3.sqlite_version,
            "installed": sqlite3.__file__.split("/")[2],
            "rows": rows,
            "fts5": match,
            "json": doc,
            "serialized": blob[:16].decode(),
        })
