package server

import (
	"strings"
	"text/template/parse"

	"github.com/gofiber/template/html/v2"

	"github.com/weekback/weekback/i18n"
)

// inlineMessages writes into e's templates, once html/template has
// escaped them, each message of l that takes no argument ({{t "key"}}) in
// its place, as the escaped text it renders to: the same bytes without a
// function call and an escaper call by reflection per message on every
// page (a third of an HTML records page's rendering,
// BenchmarkRecordsPageHTML). Only where html/template escapes the message
// as HTML text or as a quoted attribute's value (one escaper, whose bytes
// escapeHTML writes) does the action become text; anywhere else it stays
// as it was. TestInlinedMessagesAsTheTemplates compares pages both ways.
func inlineMessages(e *html.Engine, l *i18n.Localizer) {
	for _, t := range e.Templates.Templates() {
		if t.Tree != nil {
			inlineList(t.Tree.Root, l)
		}
	}
}

// inlineList inlines the messages of list and of the lists inside it.
func inlineList(list *parse.ListNode, l *i18n.Localizer) {
	if list == nil {
		return
	}
	for i, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if text, ok := constantMessage(n, l); ok {
				list.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			inlineList(n.List, l)
			inlineList(n.ElseList, l)
		case *parse.RangeNode:
			inlineList(n.List, l)
			inlineList(n.ElseList, l)
		case *parse.WithNode:
			inlineList(n.List, l)
			inlineList(n.ElseList, l)
		case *parse.ListNode:
			inlineList(n, l)
		}
	}
}

// htmlEscapers are the escapers html/template puts after an action in
// HTML text and in a quoted attribute's value: both write what escapeHTML
// writes.
var htmlEscapers = map[string]bool{"_html_template_htmlescaper": true, "_html_template_attrescaper": true}

// constantMessage returns the escaped text of n when n is {{t "key"}}
// followed by one of htmlEscapers.
func constantMessage(n *parse.ActionNode, l *i18n.Localizer) (string, bool) {
	p := n.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[0].Args) != 2 || len(p.Cmds[1].Args) != 1 {
		return "", false
	}
	fn, ok1 := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	key, ok2 := p.Cmds[0].Args[1].(*parse.StringNode)
	esc, ok3 := p.Cmds[1].Args[0].(*parse.IdentifierNode)
	if !ok1 || !ok2 || !ok3 || fn.Ident != "t" || !htmlEscapers[esc.Ident] {
		return "", false
	}
	var b strings.Builder
	escapeHTML(&b, l.T(key.Text))
	return b.String(), true
}
