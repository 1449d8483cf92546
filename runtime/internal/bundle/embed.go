//go:build pyworkers_bundle

package bundle

import _ "embed"

// runtime.tar.gz is written by .ci/release/bundle.sh (make release), from
// the artifacts directory; it is not committed.
//
//go:embed runtime.tar.gz
var embedded []byte

func init() { archive = embedded }
