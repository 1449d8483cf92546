package rules

import (
	"path/filepath"
)

func init() {
	register(&Rule{
		Code: "PW105", Name: "assets-directory", Severity: Error, Targets: TargetConfig,
		Summary: "The assets block's directory does not exist (or is missing): wrangler refuses to deploy or run, and nothing is served.",
		Check:   checkAssetsDirectory,
	})
}

func checkAssetsDirectory(p *Pass) {
	if len(p.Doc.Errors) > 0 {
		return
	}
	envs := append([]string{""}, p.Worker.EnvNames...)
	reported := map[int]bool{} // an inherited block is reported once
	for _, name := range envs {
		env, ok := p.Worker.Env(name)
		if !ok || env.AssetsNode == nil || reported[env.AssetsNode.Range.Start] {
			continue
		}
		reported[env.AssetsNode.Range.Start] = true
		dirNode := env.AssetsNode.Get("directory")
		if dirNode == nil || dirNode.String() == "" {
			p.ReportConfig(env.AssetsNode, `the assets block needs a "directory" (the folder of files to serve, e.g. "./public")`)
			continue
		}
		dir := dirNode.String()
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(p.Worker.Dir, filepath.FromSlash(dir))
		}
		if _, err := p.fs().ReadDir(dir); err != nil {
			p.ReportConfig(dirNode, `the directory specified by the "assets.directory" field does not exist: `+dirNode.String()+
				" (relative to the config's folder): wrangler refuses to deploy or run the Worker; create it or fix the path")
		}
	}
}
