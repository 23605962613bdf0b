//! Tab completion, as `JLineZNodeCompleter` offers it: a word starting
//! with `/` completes to the children of its directory whose names start
//! with what follows the last `/`; the first word completes to command
//! names.

use crate::usage::COMMANDS;

pub(crate) fn candidates(line: &str, known_paths: &[String]) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at_new_word = line.is_empty() || line.ends_with(char::is_whitespace);
    let (index, word) = match (at_new_word, words.last()) {
        (false, Some(last)) => (words.len() - 1, *last),
        _ => (words.len(), ""),
    };
    let mut found: Vec<String> = if word.starts_with('/') {
        znode_candidates(word, known_paths)
    } else if index == 0 {
        COMMANDS.iter().map(|(name, _)| *name).filter(|n| n.starts_with(word)).map(String::from).collect()
    } else {
        Vec::new()
    };
    found.sort();
    found.dedup();
    found
}

/// Children of the word's directory (`/a/b` for `/a/b/c`, `/` for `/c`)
/// whose names start with the word's last segment.
fn znode_candidates(word: &str, known_paths: &[String]) -> Vec<String> {
    let cut = word.rfind('/').map_or(0, |i| i + 1);
    let (dir, prefix) = if cut <= 1 { ("/", &word[cut..]) } else { (&word[..cut - 1], &word[cut..]) };
    known_paths
        .iter()
        .filter_map(|p| {
            let (parent, name) = split_parent(p)?;
            (parent == dir && name.starts_with(prefix)).then(|| p.clone())
        })
        .collect()
}

fn split_parent(path: &str) -> Option<(&str, &str)> {
    let i = path.rfind('/')?;
    let name = &path[i + 1..];
    if name.is_empty() {
        return None;
    }
    Some((if i == 0 { "/" } else { &path[..i] }, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["/", "/app", "/apple", "/zookeeper", "/app/config", "/app/cache", "/app/config/x"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn completes_commands_and_paths() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("ge", &["get", "getAcl", "getAllChildrenNumber", "getEphemerals"]),
            ("getA", &["getAcl", "getAllChildrenNumber"]),
            ("set", &["set", "setAcl"]),
            ("xyz", &[]),
            ("ls /", &["/app", "/apple", "/zookeeper"]),
            ("ls /ap", &["/app", "/apple"]),
            ("ls -s /app/c", &["/app/cache", "/app/config"]),
            ("ls /app/config/", &["/app/config/x"]),
            ("ls /nothing/", &[]),
            ("ls ", &[]),
            ("ls -", &[]),
            ("/a", &["/app", "/apple"]),
        ];
        for (line, want) in cases {
            let got = candidates(line, &known());
            if line.is_empty() {
                assert_eq!(got.len(), COMMANDS.len());
                continue;
            }
            assert_eq!(got, *want, "{line:?}");
        }
    }
}
