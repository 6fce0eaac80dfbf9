//! The pages of a document in order, from its page tree.
//!
//! lopdf's own walk (`Document::get_pages`) follows a /Kids entry that points back at an
//! ancestor round and round until it has taken as many steps as the file has objects: the
//! pages before the loop come out many times over and the pages after it never. Here each node
//! of the tree is visited once, as poppler skips a loop in the tree, so a loop or a node listed
//! twice costs nothing and every page after it is still read.

use std::collections::HashSet;

use lopdf::{Document, Object, ObjectId};

/// Deepest page tree walked; real trees are a few levels deep.
const MAX_TREE_DEPTH: usize = 256;

/// The page objects in page order.
///
/// A kid that does not load as a dictionary stands in for a blank page, as in lopdf (and
/// MuPDF), so the pages after it keep their numbers. A node that is neither a page nor a pages
/// node (another /Type) is skipped; a dictionary without /Type is a pages node when it has
/// /Kids and a page otherwise, as poppler takes it.
pub(crate) fn page_ids(doc: &Document) -> Vec<ObjectId> {
    let mut pages = Vec::new();
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Pages").ok())
        .and_then(|pages| pages.as_reference().ok())
    else {
        return pages;
    };
    let mut seen = HashSet::from([root]);
    let mut stack: Vec<&[Object]> = Vec::new();
    match node(doc, root) {
        Node::Pages(kids) => stack.push(kids),
        // A catalog whose /Pages names the one page itself.
        Node::Page => pages.push(root),
        Node::Other | Node::Missing => {}
    }
    while let Some(kids) = stack.last_mut() {
        let Some((kid, rest)) = kids.split_first() else {
            stack.pop();
            continue;
        };
        *kids = rest;
        // A kid written in place rather than referred to has no object id to read it by;
        // lopdf skips it too.
        let Ok(id) = kid.as_reference() else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        match node(doc, id) {
            Node::Page | Node::Missing => pages.push(id),
            Node::Pages(kids) if stack.len() < MAX_TREE_DEPTH => stack.push(kids),
            Node::Pages(_) | Node::Other => {}
        }
    }
    pages
}

enum Node<'d> {
    Page,
    Pages(&'d [Object]),
    /// A dictionary of another type.
    Other,
    /// An object that is absent or not a dictionary.
    Missing,
}

fn node(doc: &Document, id: ObjectId) -> Node<'_> {
    let Ok(dict) = doc.get_dictionary(id) else {
        return Node::Missing;
    };
    let kids = dict
        .get(b"Kids")
        .ok()
        .and_then(|kids| doc.dereference(kids).ok())
        .and_then(|(_, kids)| kids.as_array().ok());
    match dict.get(b"Type").and_then(Object::as_name) {
        Ok(b"Page") => Node::Page,
        Ok(b"Pages") => Node::Pages(kids.map_or(&[], Vec::as_slice)),
        Ok(_) => Node::Other,
        Err(_) => kids.map_or(Node::Page, |kids| Node::Pages(kids.as_slice())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Dictionary, dictionary};

    /// A document whose page tree is `nodes`: (id, /Type, /Kids), with object 1 the catalog
    /// and object 2 the root of the tree.
    fn document(nodes: &[(u32, &str, &[u32])]) -> Document {
        let mut doc = Document::with_version("1.7");
        doc.objects.insert(
            (1, 0),
            Object::Dictionary(
                dictionary! { "Type" => "Catalog", "Pages" => Object::Reference((2, 0)) },
            ),
        );
        for (id, kind, kids) in nodes {
            let mut dict = Dictionary::new();
            if !kind.is_empty() {
                dict.set("Type", Object::Name(kind.as_bytes().to_vec()));
            }
            if !kids.is_empty() {
                let kids = kids
                    .iter()
                    .map(|k| Object::Reference((*k, 0)))
                    .collect::<Vec<_>>();
                dict.set("Kids", kids);
            }
            doc.objects.insert((*id, 0), Object::Dictionary(dict));
        }
        doc.trailer.set("Root", Object::Reference((1, 0)));
        doc
    }

    fn numbers(ids: &[ObjectId]) -> Vec<u32> {
        ids.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn pages_come_in_tree_order() {
        let doc = document(&[
            (2, "Pages", &[3, 4, 6]),
            (3, "Page", &[]),
            (4, "Pages", &[5]),
            (5, "Page", &[]),
            (6, "Page", &[]),
        ]);
        assert_eq!(numbers(&page_ids(&doc)), [3, 5, 6]);
    }

    #[test]
    fn a_loop_back_to_an_ancestor_is_skipped_and_later_pages_kept() {
        let doc = document(&[
            (2, "Pages", &[3, 4, 2, 7]),
            (3, "Page", &[]),
            (4, "Pages", &[5, 2, 4, 6]),
            (5, "Page", &[]),
            (6, "Page", &[]),
            (7, "Page", &[]),
        ]);
        assert_eq!(numbers(&page_ids(&doc)), [3, 5, 6, 7]);
    }

    #[test]
    fn a_node_listed_twice_is_read_once() {
        let doc = document(&[
            (2, "Pages", &[3, 3, 4, 4, 5]),
            (3, "Page", &[]),
            (4, "Pages", &[6]),
            (5, "Page", &[]),
            (6, "Page", &[]),
        ]);
        assert_eq!(numbers(&page_ids(&doc)), [3, 6, 5]);
    }

    #[test]
    fn missing_kids_stand_in_for_pages_and_untyped_nodes_are_told_apart_by_kids() {
        let doc = document(&[
            (2, "Pages", &[3, 9, 4]),
            (3, "", &[]),
            (4, "", &[5]),
            (5, "Page", &[]),
        ]);
        assert_eq!(numbers(&page_ids(&doc)), [3, 9, 5]);
    }

    #[test]
    fn a_tree_deeper_than_the_limit_ends_without_overflowing() {
        let chain: Vec<(u32, [u32; 1])> = (2..10_002).map(|id| (id, [id + 1])).collect();
        let mut nodes: Vec<(u32, &str, &[u32])> = chain
            .iter()
            .map(|(id, kids)| (*id, "Pages", &kids[..]))
            .collect();
        nodes.push((10_002, "Page", &[]));
        let doc = document(&nodes);
        assert!(page_ids(&doc).is_empty());
    }
}
