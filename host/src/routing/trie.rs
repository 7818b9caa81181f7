//! The path matcher: a segment trie tried in the order static → param → splat at every level,
//! backtracking when a branch fails deeper down, so `/a/me` beats `/a/:id` beats `/a/*` at any
//! depth. Two patterns of the same shape (param names aside) conflict.

use std::collections::HashMap;

use super::pattern::Segment;

/// A route stored in the trie with the names of its params in path order.
#[derive(Debug)]
pub struct Leaf<T> {
    pub value: T,
    pub pattern: String,
    pub param_names: Vec<String>,
}

#[derive(Debug)]
struct Node<T> {
    statics: HashMap<String, Node<T>>,
    param: Option<Box<Node<T>>>,
    /// A route ending here exactly.
    end: Option<Leaf<T>>,
    /// A route whose trailing `*` takes the rest of the path from here.
    splat: Option<Leaf<T>>,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Self {
            statics: HashMap::new(),
            param: None,
            end: None,
            splat: None,
        }
    }
}

/// A successful match: the leaf, the param values in order, and the splat's value.
#[derive(Debug)]
pub struct Found<'t, 'p, T> {
    pub leaf: &'t Leaf<T>,
    pub params: Vec<&'p str>,
    pub splat: Option<String>,
}

#[derive(Debug)]
pub struct Trie<T> {
    root: Node<T>,
}

impl<T> Default for Trie<T> {
    fn default() -> Self {
        Self {
            root: Node::default(),
        }
    }
}

impl<T> Trie<T> {
    /// Adds a route; an existing route of the same shape is a conflict, named in the error.
    pub fn insert(&mut self, pattern: &str, segments: &[Segment], value: T) -> Result<(), String> {
        let mut node = &mut self.root;
        let mut param_names = Vec::new();
        let mut splat = false;
        for segment in segments {
            match segment {
                Segment::Static(s) => node = node.statics.entry(s.clone()).or_default(),
                Segment::Param(name) => {
                    param_names.push(name.clone());
                    node = node.param.get_or_insert_with(Box::default);
                }
                Segment::Splat => splat = true,
            }
        }
        let slot = if splat {
            &mut node.splat
        } else {
            &mut node.end
        };
        if let Some(existing) = slot {
            return Err(format!(
                "{pattern} conflicts with the route {}",
                existing.pattern
            ));
        }
        *slot = Some(Leaf {
            value,
            pattern: pattern.to_owned(),
            param_names,
        });
        Ok(())
    }

    /// Matches a request path (`/`-separated, leading `/`).
    pub fn find<'t, 'p>(&'t self, path: &'p str) -> Option<Found<'t, 'p, T>> {
        let rest = path.strip_prefix('/')?;
        let segments: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let mut params = Vec::new();
        let (leaf, splat) = find(&self.root, &segments, &mut params)?;
        Some(Found {
            leaf,
            params,
            splat,
        })
    }
}

fn find<'t, 'p, T>(
    node: &'t Node<T>,
    segments: &[&'p str],
    params: &mut Vec<&'p str>,
) -> Option<(&'t Leaf<T>, Option<String>)> {
    let Some((head, rest)) = segments.split_first() else {
        return node.end.as_ref().map(|leaf| (leaf, None));
    };
    if let Some(child) = node.statics.get(*head)
        && let Some(found) = find(child, rest, params)
    {
        return Some(found);
    }
    if let Some(child) = &node.param
        && !head.is_empty()
    {
        params.push(head);
        if let Some(found) = find(child, rest, params) {
            return Some(found);
        }
        params.pop();
    }
    if let Some(leaf) = &node.splat
        && segments.iter().all(|s| !s.is_empty())
    {
        return Some((leaf, Some(segments.join("/"))));
    }
    None
}
