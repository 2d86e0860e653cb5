package parley

// ThreadNode is a comment with its replies.
type ThreadNode struct {
	Comment *Comment
	Replies []*ThreadNode
}

// BuildThread arranges flat comments into trees. Top-level comments keep the
// order they come in; replies keep their order under their parent. A reply
// whose parent is not in the list (held for review or removed) is placed under
// its thread's root, or at the top level when the root is missing too, so no
// visible comment is lost.
func BuildThread(comments []*Comment) []*ThreadNode {
	nodes := make(map[int64]*ThreadNode, len(comments))
	for _, c := range comments {
		nodes[c.ID] = &ThreadNode{Comment: c}
	}
	var roots []*ThreadNode
	for _, c := range comments {
		n := nodes[c.ID]
		parent := nodes[c.ParentID]
		if parent == nil && c.ParentID != 0 && c.RootID != c.ID {
			parent = nodes[c.RootID]
		}
		if c.ParentID == 0 || parent == nil || parent == n {
			roots = append(roots, n)
			continue
		}
		parent.Replies = append(parent.Replies, n)
	}
	return roots
}
