package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/smacker/go-tree-sitter"
	_ "github.com/smacker/go-tree-sitter/python"
	_ "github.com/tailscale/hujson"
	_ "github.com/tetratelabs/wazero"
	_ "go.lsp.dev/jsonrpc2"
	_ "go.lsp.dev/protocol"
	_ "go.lsp.dev/uri"
)
