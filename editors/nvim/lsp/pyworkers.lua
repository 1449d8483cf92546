-- pyworkers-lsp for Neovim >= 0.11 (vim.lsp.config / vim.lsp.enable); on
-- Neovim 0.7 to 0.10 require('pyworkers').setup() (lua/pyworkers.lua) uses
-- this same file.
--
-- Put this file on your 'runtimepath' as lsp/pyworkers.lua (for example
-- ~/.config/nvim/lsp/pyworkers.lua) and enable it next to your Python server:
--
--   vim.lsp.enable({ 'pyright', 'pyworkers' })
--
-- Override any field without copying the file:
--
--   vim.lsp.config('pyworkers', {
--     cmd = { '/path/to/pyworkers-lsp', 'serve', '--stdio' },
--     settings = { pyworkers = { environment = 'staging' } },
--   })
--
-- pyworkers-lsp only adds to your Python server (pyright, basedpyright,
-- ruff, ...): it never replaces it. It starts only inside a Worker project
-- (a directory with a wrangler config), and attaches to Python files there
-- and to the project files themselves (wrangler.json/jsonc/toml,
-- pyproject.toml), never to other JSON or TOML files.

local root_markers = { 'wrangler.jsonc', 'wrangler.json', 'wrangler.toml' }

-- Project files the server understands besides Python modules.
local project_files = {
  ['wrangler.jsonc'] = true,
  ['wrangler.json'] = true,
  ['wrangler.toml'] = true,
  ['pyproject.toml'] = true,
}

local uv = vim.uv or vim.loop

-- find_root is the nearest directory at or above path holding a wrangler
-- config (like vim.fs.root, but it also runs on older Neovim, which the
-- headless test uses).
local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while dir and dir ~= '' do
    for _, marker in ipairs(root_markers) do
      if uv.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

-- Code lenses ("▶ Run fetch") are off by default in Neovim: turn them on for
-- the buffers this server attaches to (0.12: codelens.enable; before: a
-- refresh now and on the events that move them).
local function enable_lenses(client, bufnr)
  local codelens = vim.lsp.codelens
  if codelens.enable then
    codelens.enable(true, { bufnr = bufnr, client_id = client.id })
    return
  end
  codelens.refresh({ bufnr = bufnr })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'TextChanged' }, {
    buffer = bufnr,
    callback = function()
      codelens.refresh({ bufnr = bufnr })
    end,
  })
end

-- A re-run writes the same result file (.pyworkers/results/fetch.http):
-- Neovim would show the buffer it already has, so reload an unmodified one
-- from disk before showing it.
local function show_document(err, result, ctx, config)
  if result and result.uri and not result.external then
    local bufnr = vim.uri_to_bufnr(result.uri)
    local path = vim.uri_to_fname(result.uri)
    if vim.api.nvim_buf_is_loaded(bufnr) and not vim.bo[bufnr].modified and vim.fn.filereadable(path) == 1 then
      vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.fn.readfile(path))
      vim.bo[bufnr].modified = false
      vim.bo[bufnr].autoread = true
    end
  end
  local default = vim.lsp.handlers['window/showDocument']
  if not default then
    return { success = false }
  end
  return default(err, result, ctx, config)
end

return {
  cmd = { 'pyworkers-lsp', 'serve', '--stdio' },
  filetypes = { 'python', 'json', 'jsonc', 'toml' },
  -- Documents the markers; root_dir below uses them (and wins over them).
  root_markers = root_markers,
  -- Start only inside a Worker project; for JSON/TOML buffers only for the
  -- project files themselves.
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == '' then
      return
    end
    local ft = vim.bo[bufnr].filetype
    if ft ~= 'python' and not project_files[vim.fn.fnamemodify(name, ':t')] then
      return
    end
    local root = find_root(name)
    if root then
      on_dir(root)
    end
  end,
  -- Sent as initializationOptions and answered to workspace/configuration
  -- (section "pyworkers").
  settings = {
    pyworkers = {
      -- env.<name> block of the wrangler config; '' is the top level.
      environment = '',
      -- Rule codes to turn off, e.g. { 'PW009' }.
      disabledRules = {},
      -- Limits for "Run handler" code lenses.
      runTimeoutSeconds = 30,
      memoryLimitMB = 256,
      -- Let handlers run from code lenses make outbound fetches.
      allowNet = false,
      packagesURL = "", -- mirror or folder of Pyodide's packages ("" = Pyodide's CDN)
    },
  },
  init_options = nil,
  on_attach = enable_lenses,
  handlers = { ['window/showDocument'] = show_document },
}
