package checkcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/rules"
)

func writeText(w io.Writer, ds []rules.Diagnostic, cwd string) error {
	for _, d := range ds {
		msg := strings.ReplaceAll(d.Message, "\n", " ")
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s %s\n", displayPath(d.Path, cwd), d.Range.Start.Line+1, d.Range.Start.Character+1, d.Code, msg); err != nil {
			return err
		}
	}
	return nil
}

// jsonDiagnostic is one entry of the json format: 1-based positions,
// columns in UTF-16 code units.
type jsonDiagnostic struct {
	Path      string   `json:"path"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"endLine"`
	EndColumn int      `json:"endColumn"`
	Severity  string   `json:"severity"`
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	DocsURL   string   `json:"docsUrl"`
	Fixes     []string `json:"fixes,omitempty"`
}

func writeJSON(w io.Writer, ds []rules.Diagnostic, cwd string) error {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		jd := jsonDiagnostic{
			Path: displayPath(d.Path, cwd), Line: d.Range.Start.Line + 1, Column: d.Range.Start.Character + 1,
			EndLine: d.Range.End.Line + 1, EndColumn: d.Range.End.Character + 1,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message, DocsURL: d.DocsURL,
		}
		for _, f := range d.Fixes {
			jd.Fixes = append(jd.Fixes, f.Title)
		}
		out = append(out, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifMessage   `json:"shortDescription"`
	HelpURI              string         `json:"helpUri"`
	DefaultConfiguration sarifRuleLevel `json:"defaultConfiguration"`
}

type sarifRuleLevel struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           sarifRegion      `json:"region"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

// uriOf turns a path into a SARIF URI: relative to the source root (with
// uriBaseId) when below it, else an absolute file URI.
func uriOf(path, cwd string) sarifArtifactLoc {
	rel, err := filepath.Rel(cwd, path)
	if err == nil && !strings.HasPrefix(rel, "..") {
		parts := strings.Split(filepath.ToSlash(rel), "/")
		for i, p := range parts {
			parts[i] = url.PathEscape(p)
		}
		return sarifArtifactLoc{URI: strings.Join(parts, "/"), URIBaseID: "%SRCROOT%"}
	}
	return sarifArtifactLoc{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()}
}

func writeSARIF(w io.Writer, ds []rules.Diagnostic, cwd string) error {
	driver := sarifDriver{Name: "pyworkers-lsp", InformationURI: "https://github.com/pyworkers-lsp/pyworkers-lsp"}
	index := map[string]int{}
	for i, r := range rules.Rules() {
		index[r.Code] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.Code, Name: r.Name, ShortDescription: sarifMessage{r.Summary}, HelpURI: r.DocsURL(),
			DefaultConfiguration: sarifRuleLevel{sarifLevel(r.Severity)},
		})
	}
	root := (&url.URL{Scheme: "file", Path: strings.TrimSuffix(filepath.ToSlash(cwd), "/") + "/"}).String()
	run := sarifRun{
		Tool:               sarifTool{Driver: driver},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{"%SRCROOT%": {URI: root}},
		Results:            []sarifResult{},
		ColumnKind:         "utf16CodeUnits",
	}
	for _, d := range ds {
		region := sarifRegion{StartLine: d.Range.Start.Line + 1, StartColumn: d.Range.Start.Character + 1, EndLine: d.Range.End.Line + 1, EndColumn: d.Range.End.Character + 1}
		run.Results = append(run.Results, sarifResult{
			RuleID: d.Code, RuleIndex: index[d.Code], Level: sarifLevel(d.Severity), Message: sarifMessage{d.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: uriOf(d.Path, cwd), Region: region}}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
