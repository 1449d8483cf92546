-- pyworkers-lsp on Neovim 0.7 to 0.10, without nvim-lspconfig (Neovim 0.11
-- and later: vim.lsp.enable('pyworkers') with lsp/pyworkers.lua instead).
--
--   vim.opt.runtimepath:append('/path/to/pyworkers-lsp/editors/nvim')
--   require('pyworkers').setup({
--     cmd = { '/path/to/pyworkers-lsp', 'serve', '--stdio' }, -- optional
--     settings = { pyworkers = { environment = 'staging' } }, -- optional
--   })
--
-- It starts the server from the same lsp/pyworkers.lua (found on the
-- runtimepath) for the buffers that file's root_dir accepts: one client per
-- Worker project.
local M = {}

-- config is lsp/pyworkers.lua's table.
function M.config()
  local file = vim.api.nvim_get_runtime_file('lsp/pyworkers.lua', false)[1]
  assert(file, "pyworkers: lsp/pyworkers.lua is not on 'runtimepath' (add editors/nvim)")
  return dofile(file)
end

local clients = {} -- root -> client id (Neovim 0.7, without vim.lsp.start)

-- attach starts (or reuses) the project's client for bufnr.
function M.attach(config, bufnr)
  local root
  config.root_dir(bufnr, function(dir)
    root = dir
  end)
  if not root then
    return nil
  end
  local start = vim.tbl_extend('force', {}, config, {
    name = 'pyworkers',
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ':t') } },
    init_options = config.init_options or config.settings,
  })
  start.root_markers, start.filetypes = nil, nil
  if vim.lsp.start then -- 0.8+
    return vim.lsp.start(start, { bufnr = bufnr })
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(start)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- setup starts the server for every buffer of the config's filetypes.
function M.setup(overrides)
  local config = vim.tbl_deep_extend('force', M.config(), overrides or {})
  local group = vim.api.nvim_create_augroup('pyworkers', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.attach(config, args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(config, bufnr)
    end
  end
end

return M
