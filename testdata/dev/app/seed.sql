-- Seed data for the notes table (d1 execute DB --file seed.sql).
INSERT INTO notes (body, author) VALUES ('first note', 'ada');
INSERT INTO notes (body, author) VALUES ('second; with a semicolon', 'grace');
