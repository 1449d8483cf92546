package server

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// caseInsensitive says whether goos's usual file systems (APFS, NTFS)
// ignore case: there a client may name a file in another case than the
// project's directory walk spells it, and both must be one document.
func caseInsensitive(goos string) bool { return goos == "darwin" || goos == "windows" }

// onDiskCase spells each existing component of the absolute path p as its
// directory lists it (an exact match first, else the one equal ignoring
// case); the first missing component and what follows stay as given.
// readDir is os.ReadDir but for tests. Called once per opened document or
// command, not per keystroke.
func onDiskCase(p string, readDir func(string) ([]fs.DirEntry, error)) string {
	vol := filepath.VolumeName(p)
	rest := p[len(vol):]
	if !strings.HasPrefix(rest, string(filepath.Separator)) {
		return p // relative: nothing to anchor on
	}
	out := vol + string(filepath.Separator)
	parts := strings.Split(strings.Trim(rest, string(filepath.Separator)), string(filepath.Separator))
	for i, part := range parts {
		if part == "" {
			continue
		}
		ents, err := readDir(out)
		name, ok := "", false
		if err == nil {
			for _, e := range ents {
				if e.Name() == part {
					name, ok = part, true
					break
				}
				if !ok && strings.EqualFold(e.Name(), part) {
					name, ok = e.Name(), true
				}
			}
		}
		if !ok {
			return filepath.Join(append([]string{out}, parts[i:]...)...)
		}
		out = filepath.Join(out, name)
	}
	return out
}
