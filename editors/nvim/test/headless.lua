-- Headless Neovim test of the documented set-up, as a user runs it:
--   Neovim >= 0.11: runtimepath + vim.lsp.config('pyworkers', {cmd = ...})
--                   + vim.lsp.enable('pyworkers') (editors/README.md);
--   Neovim 0.7-0.10: require('pyworkers').setup({cmd = ...}).
-- Then, on a copy of editors/testdata/run-worker ($PYWORKERS_TEST_PROJECT):
-- the client attaches, completion after `self.env.`, the PW015 diagnostic,
-- its "Add await" code action picked at column 0 (Neovim sends the cursor
-- and the line's diagnostics) and applied, the "▶ Run fetch" lens listed
-- and run, its result buffer, and after an edit a second run whose result
-- the same buffer shows. Also the shape of both shipped configurations.
--
-- Invoked by editors/nvim/test.sh:
--   PYWORKERS_BIN=... PYWORKERS_TEST_PROJECT=... nvim --headless -u NONE -i NONE -c 'luafile test/headless.lua'

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local nvim_dir = vim.fn.fnamemodify(here, ':h')
local editors_dir = vim.fn.fnamemodify(nvim_dir, ':h')
local fixture = editors_dir .. '/testdata/worker'
local bin = os.getenv('PYWORKERS_BIN')
local timeout = tonumber(os.getenv('PYWORKERS_TEST_TIMEOUT_MS') or '') or 15000

local failures = 0
local function log(msg)
  io.stdout:write(msg .. '\n')
end
local function check(ok, what, detail)
  if ok then
    log('ok   ' .. what)
  else
    failures = failures + 1
    log('FAIL ' .. what .. (detail and (': ' .. detail) or ''))
  end
  return ok
end
local function finish()
  if failures > 0 then
    log(string.format('nvim: %d check(s) failed', failures))
    vim.cmd('cquit 1')
  else
    log('nvim: all checks passed')
    vim.cmd('qall!')
  end
end

local ok_run, err = xpcall(function()
  if not bin or bin == '' then
    error('PYWORKERS_BIN is not set')
  end
  log('neovim ' .. tostring(vim.version and vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch))

  -- The shipped configurations.
  local config = dofile(nvim_dir .. '/lsp/pyworkers.lua')
  check(config.cmd[1] == 'pyworkers-lsp' and config.cmd[2] == 'serve' and config.cmd[3] == '--stdio',
    'lsp/pyworkers.lua cmd is pyworkers-lsp serve --stdio', vim.inspect(config.cmd))
  check(vim.deep_equal(config.root_markers, { 'wrangler.jsonc', 'wrangler.json', 'wrangler.toml' }),
    'lsp/pyworkers.lua root_markers', vim.inspect(config.root_markers))
  check(vim.deep_equal(config.filetypes, { 'python', 'json', 'jsonc', 'toml' }),
    'lsp/pyworkers.lua filetypes', vim.inspect(config.filetypes))

  -- nvim-lspconfig's variant, with a stand-in for lspconfig.util.
  package.loaded['lspconfig.util'] = {
    root_pattern = function(...)
      local markers = { ... }
      return function(fname)
        local dir = vim.fn.fnamemodify(fname, ':p:h')
        while true do
          for _, m in ipairs(markers) do
            if vim.fn.filereadable(dir .. '/' .. m) == 1 then
              return dir
            end
          end
          local parent = vim.fn.fnamemodify(dir, ':h')
          if parent == dir then
            return nil
          end
          dir = parent
        end
      end
    end,
  }
  vim.opt.runtimepath:append(nvim_dir) -- as the README says; the lspconfig variant shares lsp/pyworkers.lua
  local legacy = dofile(nvim_dir .. '/lua/lspconfig/configs/pyworkers.lua').default_config
  check(vim.deep_equal(legacy.cmd, config.cmd) and vim.deep_equal(legacy.filetypes, config.filetypes)
    and vim.deep_equal(legacy.settings, config.settings),
    'lspconfig variant matches lsp/pyworkers.lua (cmd, filetypes, settings)')
  check(legacy.root_dir(fixture .. '/src/entry.py') == fixture, 'lspconfig root_dir finds the wrangler config')
  check(legacy.root_dir(fixture .. '/package.json') == nil, 'lspconfig root_dir skips other JSON files')
  check(type(legacy.on_attach) == 'function' and type(legacy.handlers['window/showDocument']) == 'function',
    'lspconfig variant turns lenses on and reloads results (lsp/pyworkers.lua on_attach, handlers)')
  local other = vim.api.nvim_create_buf(false, false)
  vim.api.nvim_buf_set_name(other, fixture .. '/package.json')
  vim.bo[other].filetype = 'json'
  local other_root
  config.root_dir(other, function(d)
    other_root = d
  end)
  check(other_root == nil, 'root_dir does not start for other JSON files', tostring(other_root))

  -- The documented set-up.
  local project = assert(os.getenv('PYWORKERS_TEST_PROJECT'), 'PYWORKERS_TEST_PROJECT is not set')
  vim.cmd('filetype on')
  local modern = vim.lsp.config ~= nil and vim.lsp.enable ~= nil
  if modern then
    log('set-up: vim.lsp.config + vim.lsp.enable')
    vim.lsp.config('pyworkers', { cmd = { bin, 'serve', '--stdio' } })
    vim.lsp.enable('pyworkers')
  else
    log("set-up: require('pyworkers').setup()")
    require('pyworkers').setup({ cmd = { bin, 'serve', '--stdio' } })
  end

  local entry = project .. '/src/entry.py'
  vim.cmd('edit ' .. vim.fn.fnameescape(entry))
  local buf = vim.api.nvim_get_current_buf()
  local function our_client()
    local list = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf, name = 'pyworkers' })
      or vim.lsp.buf_get_clients(buf)
    for _, c in pairs(list) do
      if c.name == 'pyworkers' and c.initialized ~= false and c.server_capabilities and next(c.server_capabilities) then
        return c
      end
    end
  end
  local client
  if not check(vim.wait(timeout, function()
    client = our_client()
    return client ~= nil
  end, 20), 'pyworkers attaches to src/entry.py') then
    return
  end
  check(client.config.root_dir == project, 'root is the Worker project', tostring(client.config.root_dir))

  local function find(pattern)
    for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local s, e = l:find(pattern, 1, true)
      if s then
        return i - 1, s - 1, e
      end
    end
  end

  -- Completion right after `self.env.`.
  local line, _, col = find('self.env.')
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
    context = { triggerKind = 2, triggerCharacter = '.' },
  }, timeout)
  local labels = {}
  for id, resp in pairs(responses or {}) do
    if id == client.id then
      local items = resp.result and (resp.result.items or resp.result) or {}
      for _, item in ipairs(items) do
        table.insert(labels, item.label)
      end
    end
  end
  table.sort(labels)
  log('completion after self.env.: ' .. table.concat(labels, ' '))
  check(vim.tbl_contains(labels, 'CACHE') and vim.tbl_contains(labels, 'GREETING'), 'completion offers CACHE and GREETING')

  -- The PW015 diagnostic.
  local function pw015()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == 'PW015' then
        return d
      end
    end
  end
  local d
  check(vim.wait(timeout, function()
    d = pw015()
    return d ~= nil
  end, 20), 'diagnostic PW015 on the un-awaited CACHE.put')
  if not d then
    return
  end

  -- "Add await", picked from the code action menu at column 0 of its line.
  local picked
  vim.ui.select = function(items, opts, on_choice)
    local titles, choice, index = {}, nil, nil
    for i, item in ipairs(items) do
      local action = item.action or item[2] or item
      table.insert(titles, action.title)
      if action.title == 'Add await' then
        choice, index = item, i
      end
    end
    picked = titles
    on_choice(choice, index)
  end
  -- Neovim before 0.12 sends the whole line's diagnostics with the cursor,
  -- so column 0 tests that the server honours context.diagnostics; 0.12
  -- sends only those under the cursor, so the cursor goes on it.
  local at = vim.fn.has('nvim-0.12') == 1 and d.col or 0
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, at })
  vim.lsp.buf.code_action()
  check(vim.wait(timeout, function()
    return find('await self.env.CACHE.put') ~= nil
  end, 20), 'code action "Add await" offered at column ' .. at .. ' and applied', vim.inspect(picked))
  log('code actions at column ' .. at .. ': ' .. table.concat(picked or {}, ' | '))
  check(picked and vim.tbl_contains(picked, '▶ Run fetch GET /'), 'the run is also a code action', vim.inspect(picked))
  check(vim.wait(timeout, function()
    return pw015() == nil
  end, 20), 'PW015 gone after the fix')

  -- The lens, shown without any call from the user.
  local function lens_titles()
    local got = {}
    local ok, lenses = pcall(vim.lsp.codelens.get, vim.lsp.codelens.enable and { bufnr = buf } or buf)
    for _, l in ipairs(ok and lenses or {}) do
      local lens = l.lens or l
      if lens.command then
        table.insert(got, lens.command.title)
      end
    end
    return got
  end
  check(vim.wait(timeout, function()
    return vim.tbl_contains(lens_titles(), '▶ Run fetch')
  end, 50), 'lens ▶ Run fetch listed', vim.inspect(lens_titles()))

  -- Run it; the result opens in a window.
  local def_line = find('async def fetch')
  local function result_buf()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):match('%.pyworkers/results/fetch%.http$') and vim.api.nvim_buf_is_loaded(b) then
        return b
      end
    end
  end
  -- Without window/showDocument (Neovim 0.7) the server sends the whole
  -- result as a message instead; the newest one is the result then.
  local shows_documents = vim.lsp.handlers['window/showDocument'] ~= nil
  local last_message = ''
  local show_message = vim.lsp.handlers['window/showMessage']
  vim.lsp.handlers['window/showMessage'] = function(err, result, ...)
    last_message = result and result.message or ''
    return show_message(err, result, ...)
  end
  local function result_text()
    if not shows_documents then
      return last_message
    end
    local b = result_buf()
    return b and table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n') or ''
  end
  local function run_lens()
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { def_line + 1, 0 })
    vim.lsp.codelens.run()
  end
  run_lens()
  local run_timeout = math.max(timeout, 120000)
  log('the result is shown ' .. (shows_documents and 'in a buffer (window/showDocument)' or 'as a message'))
  check(vim.wait(run_timeout, function()
    return result_text():find('hello from the editor', 1, true) ~= nil
  end, 50), 'lens run: the result shows the response', result_text())
  check(result_text():find('HTTP/1.1 200 OK', 1, true) ~= nil, 'lens run: status 200')

  -- Edit the handler and save (a run runs the saved files, like
  -- `pyworkers-lsp run`), run again: the same buffer shows the new result.
  vim.api.nvim_set_current_buf(buf)
  local l, s, e = find('from the editor')
  vim.api.nvim_buf_set_text(buf, l, s, l, e, { 'once more' })
  vim.cmd('write')
  run_lens()
  check(vim.wait(run_timeout, function()
    return result_text():find('hello once more', 1, true) ~= nil
  end, 50), 'second run: the result shows the new response', result_text())
  check(result_text():find('from the editor', 1, true) == nil, 'second run: the old response is gone')

  if vim.fn.has('nvim-0.11') == 1 then
    client:stop()
  else
    client.stop()
  end
end, debug.traceback)

if not ok_run then
  failures = failures + 1
  log('FAIL ' .. tostring(err))
end
finish()
