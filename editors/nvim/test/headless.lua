-- Headless Neovim test: starts pyworkers-lsp with the shipped configuration
-- (lsp/pyworkers.lua) on editors/testdata/worker and checks completion
-- after `self.env.` and the PWxxx diagnostics of src/entry.py.
--
-- Runs on Debian's Neovim 0.7 (vim.lsp.start_client + buf_attach_client)
-- and on newer ones. Invoked by editors/nvim/test.sh:
--   PYWORKERS_BIN=... nvim --headless -u NONE -i NONE -c 'luafile test/headless.lua'

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
  local legacy = dofile(nvim_dir .. '/lua/lspconfig/configs/pyworkers.lua').default_config
  check(vim.deep_equal(legacy.cmd, config.cmd) and vim.deep_equal(legacy.filetypes, config.filetypes)
    and vim.deep_equal(legacy.settings, config.settings),
    'lspconfig variant matches lsp/pyworkers.lua (cmd, filetypes, settings)')
  check(legacy.root_dir(fixture .. '/src/entry.py') == fixture, 'lspconfig root_dir finds the wrangler config')
  check(legacy.root_dir(fixture .. '/package.json') == nil, 'lspconfig root_dir skips other JSON files')

  vim.cmd('filetype on')
  local entry = fixture .. '/src/entry.py'
  vim.cmd('edit ' .. vim.fn.fnameescape(entry))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'python'

  -- root_dir(bufnr, on_dir) as Neovim 0.11 calls it.
  local root
  config.root_dir(buf, function(d) root = d end)
  check(root == fixture, 'root_dir finds the wrangler config', tostring(root))
  local other = vim.api.nvim_create_buf(false, false)
  vim.api.nvim_buf_set_name(other, fixture .. '/package.json')
  vim.bo[other].filetype = 'json'
  local other_root
  config.root_dir(other, function(d) other_root = d end)
  check(other_root == nil, 'root_dir does not start for other JSON files', tostring(other_root))

  local cmd = vim.deepcopy(config.cmd)
  cmd[1] = bin
  local notifications = {}
  local client_id = vim.lsp.start_client({
    name = 'pyworkers',
    cmd = cmd,
    root_dir = root or fixture,
    workspace_folders = { { uri = vim.uri_from_fname(root or fixture), name = 'worker' } },
    settings = config.settings,
    init_options = { pyworkers = config.settings.pyworkers },
    handlers = {
      ['window/logMessage'] = function(_, result)
        table.insert(notifications, result.message)
      end,
    },
  })
  assert(client_id, 'vim.lsp.start_client failed for ' .. bin)
  vim.lsp.buf_attach_client(buf, client_id)

  local client
  local initialized = vim.wait(timeout, function()
    client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized == true or (client ~= nil and next(client.server_capabilities or {}) ~= nil)
  end, 20)
  if not check(initialized, 'server initialized') then
    return
  end
  local caps = client.server_capabilities
  check(caps.completionProvider ~= nil, 'server advertises completion')

  -- Completion right after `self.env.` in the fixture.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local line, col
  for i, l in ipairs(lines) do
    local s, e = l:find('self.env.', 1, true)
    if s then
      line, col = i - 1, e
      break
    end
  end
  assert(line, 'no self.env. in ' .. entry)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
    context = { triggerKind = 2, triggerCharacter = '.' },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, timeout)
  local labels = {}
  for _, resp in pairs(responses or {}) do
    if resp.err then
      check(false, 'completion request', vim.inspect(resp.err))
    end
    local items = resp.result and (resp.result.items or resp.result) or {}
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
    end
  end
  table.sort(labels)
  log(string.format('completion after self.env. (%d:%d): %s', line + 1, col, table.concat(labels, ' ')))
  for _, want in ipairs({ 'API_HOST', 'CACHE', 'DB' }) do
    check(vim.tbl_contains(labels, want), 'completion offers ' .. want, table.concat(labels, ' '))
  end

  -- Diagnostics of the pitfall file.
  local function pw_codes()
    local codes = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if type(code) == 'string' and code:match('^PW%d+$') then
        codes[code] = d
      end
    end
    return codes
  end
  vim.wait(timeout, function()
    local c = pw_codes()
    return c.PW008 ~= nil and c.PW009 ~= nil
  end, 50)
  local all = vim.diagnostic.get(buf)
  for _, d in ipairs(all) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
    log(string.format('diagnostic %s:%d:%d %s %s', vim.fn.fnamemodify(entry, ':t'), d.lnum + 1, d.col + 1, tostring(code), d.message))
  end
  local codes = pw_codes()
  check(codes.PW008 ~= nil, 'diagnostic PW008 (from pyodide.ffi import to_py)', #all .. ' diagnostics')
  check(codes.PW009 ~= nil, 'diagnostic PW009 (random.random() at module top level)', #all .. ' diagnostics')

  vim.lsp.stop_client(client_id)
end, debug.traceback)

if not ok_run then
  failures = failures + 1
  log('FAIL ' .. tostring(err))
end
finish()
