-- pyworkers-lsp for nvim-lspconfig (the `require('lspconfig').X.setup{}`
-- framework; on Neovim >= 0.11 prefer ../../../lsp/pyworkers.lua).
--
-- pyworkers-lsp is not in lspconfig's own list, so register it once, then
-- set it up next to your Python server:
--
--   local configs = require('lspconfig.configs')
--   if not configs.pyworkers then
--     configs.pyworkers = require('lspconfig.configs.pyworkers') -- this file, on 'runtimepath'
--   end
--   require('lspconfig').pyright.setup({})
--   require('lspconfig').pyworkers.setup({
--     settings = { pyworkers = { environment = 'staging' } },
--   })
local util = require('lspconfig.util')

local project_files = {
  ['wrangler.jsonc'] = true,
  ['wrangler.json'] = true,
  ['wrangler.toml'] = true,
  ['pyproject.toml'] = true,
}

local find_root = util.root_pattern('wrangler.jsonc', 'wrangler.json', 'wrangler.toml')

-- Lenses on, and result buffers reloaded on a re-run: the same functions as
-- lsp/pyworkers.lua, which sits on the same runtimepath entry.
local shared_file = vim.api.nvim_get_runtime_file('lsp/pyworkers.lua', false)[1]
local shared = shared_file and dofile(shared_file) or {}

return {
  default_config = {
    cmd = { 'pyworkers-lsp', 'serve', '--stdio' },
    filetypes = { 'python', 'json', 'jsonc', 'toml' },
    -- Only inside a Worker project; JSON/TOML only for the project files.
    root_dir = function(fname)
      if not fname:match('%.pyi?$') and not project_files[vim.fn.fnamemodify(fname, ':t')] then
        return nil
      end
      return find_root(fname)
    end,
    single_file_support = false,
    on_attach = shared.on_attach,
    handlers = shared.handlers,
    settings = {
      pyworkers = {
        environment = '',
        disabledRules = {},
        runTimeoutSeconds = 30,
        memoryLimitMB = 256,
        allowNet = false,
        packagesURL = "", -- mirror or folder of Pyodide's packages ("" = Pyodide's CDN)
      },
    },
  },
  docs = {
    description = [[
https://github.com/pyworkers-lsp/pyworkers-lsp

Language server for Cloudflare Python Workers: self.env binding completion,
hover and definition from the wrangler config, Workers pitfall diagnostics
(PWxxx), wrangler config completion, and "Run handler" code lenses. Runs next
to your Python language server.
]],
  },
}
