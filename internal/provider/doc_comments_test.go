// Copyright (c) The terraform-provider-tencentcallkit Authors
// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDocComments_onTheirDeclarations: a doc comment that starts with the
// name of something this package declares sits on that declaration. A
// declaration put between a comment and the one it documents takes the
// comment over (go doc then shows it on the wrong name).
func TestDocComments_onTheirDeclarations(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := map[string]bool{}
	var documented []*ast.CommentGroup
	var documents [][]string // the names each of documented sits on
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			names, doc := declNames(d)
			for _, n := range names {
				declared[n] = true
			}
			if doc != nil {
				documented, documents = append(documented, doc), append(documents, names)
			}
		}
	}
	for i, doc := range documented {
		words := strings.Fields(doc.Text()) // none for a directive alone
		if len(words) > 0 && declared[words[0]] && !slices.Contains(documents[i], words[0]) {
			t.Errorf("%s: the comment that documents %s sits on %v", fset.Position(doc.Pos()), words[0], documents[i])
		}
	}
}

// declNames are the names a top-level declaration declares, and its doc comment.
func declNames(d ast.Decl) ([]string, *ast.CommentGroup) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return []string{d.Name.Name}, d.Doc
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
		return names, d.Doc
	}
	return nil, nil
}
