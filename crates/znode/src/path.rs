//! Path rules (`PathUtils.validatePath`) and the parent/child split the
//! server uses.

/// Why a path is refused, with the exact text of Java's
/// `IllegalArgumentException` (zkCli prints it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPath(pub String);

impl std::fmt::Display for InvalidPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `PathUtils.validatePath(path, isSequential)`: a sequential create is
/// checked as `path + "1"`, so `/a/` is a valid sequential prefix.
pub fn validate_path_for(path: &str, sequential: bool) -> Result<(), InvalidPath> {
    if sequential {
        validate_path(&format!("{path}1"))
    } else {
        validate_path(path)
    }
}

/// `PathUtils.validatePath`. Positions in messages count UTF-16 code units,
/// as Java's do.
pub fn validate_path(path: &str) -> Result<(), InvalidPath> {
    let chars: Vec<u16> = path.encode_utf16().collect();
    if chars.is_empty() {
        return Err(InvalidPath("Path length must be > 0".into()));
    }
    if chars[0] != u16::from(b'/') {
        return Err(InvalidPath("Path must start with / character".into()));
    }
    if chars.len() == 1 {
        return Ok(());
    }
    if chars[chars.len() - 1] == u16::from(b'/') {
        return Err(InvalidPath("Path must not end with / character".into()));
    }
    match first_violation(&chars) {
        None => Ok(()),
        Some(reason) => Err(InvalidPath(format!("Invalid path string \"{path}\" caused by {reason}"))),
    }
}

fn first_violation(chars: &[u16]) -> Option<String> {
    const SLASH: u16 = b'/' as u16;
    const DOT: u16 = b'.' as u16;
    let ends_segment = |i: usize| i + 1 == chars.len() || chars[i + 1] == SLASH;
    let mut last = SLASH;
    for i in 1..chars.len() {
        let c = chars[i];
        if c == 0 {
            return Some(format!("null character not allowed @{i}"));
        } else if c == SLASH && last == SLASH {
            return Some(format!("empty node name specified @{i}"));
        } else if c == DOT && last == DOT {
            if chars[i - 2] == SLASH && ends_segment(i) {
                return Some(format!("relative paths not allowed @{i}"));
            }
        } else if c == DOT {
            if chars[i - 1] == SLASH && ends_segment(i) {
                return Some(format!("relative paths not allowed @{i}"));
            }
        } else if (0x0001..=0x001f).contains(&c)
            || (0x007f..=0x009f).contains(&c)
            || (0xd800..=0xf8ff).contains(&c)
            || c >= 0xfff0
        {
            return Some(format!("invalid character @{i}"));
        }
        last = c;
    }
    None
}

/// The parent of `path` as the server computes it (`path.substring(0,
/// lastSlash)`): `""` stands for the root, as in DataTree's node map.
/// `None` when the path has no `/` at all.
pub fn parent_key(path: &str) -> Option<&str> {
    path.rfind('/').map(|i| &path[..i])
}

/// The last segment of `path`.
pub fn child_name(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The parent of `path` as a client sees it (`/` for top-level nodes).
pub fn parent_path(path: &str) -> &str {
    match parent_key(path) {
        Some("") | None => "/",
        Some(p) => p,
    }
}

/// Join a parent path and a child name.
pub fn join(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// ZooKeeper's own nodes, which may not be deleted (`DataTree.isSpecialPath`).
pub fn is_special(path: &str) -> bool {
    matches!(path, "/" | "/zookeeper" | "/zookeeper/quota" | "/zookeeper/config")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(p: &str) -> String {
        validate_path(p).unwrap_err().0
    }

    #[test]
    fn accepts_ordinary_paths() {
        for p in ["/", "/a", "/a/b", "/a.b", "/a/..b", "/a/b.", "/配置", "/a-0000000001"] {
            assert_eq!(validate_path(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn messages_are_javas() {
        assert_eq!(err(""), "Path length must be > 0");
        assert_eq!(err("a"), "Path must start with / character");
        assert_eq!(err("/a/"), "Path must not end with / character");
        assert_eq!(err("/a//b"), "Invalid path string \"/a//b\" caused by empty node name specified @3");
        assert_eq!(err("/a/./b"), "Invalid path string \"/a/./b\" caused by relative paths not allowed @3");
        assert_eq!(err("/a/.."), "Invalid path string \"/a/..\" caused by relative paths not allowed @4");
        assert_eq!(err("/."), "Invalid path string \"/.\" caused by relative paths not allowed @1");
        assert_eq!(err("/a\u{0}b"), "Invalid path string \"/a\u{0}b\" caused by null character not allowed @2");
        assert_eq!(err("/a\u{7}"), "Invalid path string \"/a\u{7}\" caused by invalid character @2");
        assert_eq!(err("/\u{fff5}"), "Invalid path string \"/\u{fff5}\" caused by invalid character @1");
    }

    #[test]
    fn characters_outside_the_bmp_are_refused_as_java_sees_surrogates() {
        assert!(err("/😀").ends_with("invalid character @1"));
    }

    #[test]
    fn sequential_prefix_may_end_with_slash() {
        assert_eq!(validate_path_for("/a/", true), Ok(()));
        assert!(validate_path_for("/a/", false).is_err());
    }

    #[test]
    fn parents_and_children() {
        assert_eq!(parent_key("/a"), Some(""));
        assert_eq!(parent_key("/a/b"), Some("/a"));
        assert_eq!(parent_key("a"), None);
        assert_eq!(parent_path("/a"), "/");
        assert_eq!(parent_path("/a/b"), "/a");
        assert_eq!(child_name("/a/b"), "b");
        assert_eq!(join("/", "x"), "/x");
        assert_eq!(join("/a", "x"), "/a/x");
    }

    proptest! {
        /// Any path built from valid segments is valid, and appending a
        /// separator or an empty segment makes it invalid.
        #[test]
        fn built_paths_validate(segs in prop::collection::vec("[a-zA-Z0-9_\\-]{1,8}", 1..6)) {
            let p = format!("/{}", segs.join("/"));
            prop_assert_eq!(validate_path(&p), Ok(()));
            let trailing = format!("{}/", p);
            let doubled = format!("{}//x", p);
            prop_assert!(validate_path(&trailing).is_err());
            prop_assert!(validate_path(&doubled).is_err());
            prop_assert_eq!(join(parent_path(&p), child_name(&p)), p.clone());
        }

        /// Validation never panics, whatever the input.
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = validate_path(&s);
            let _ = validate_path_for(&s, true);
        }

        /// A valid path never contains a segment that is `.` or `..`, nor
        /// an empty segment.
        #[test]
        fn valid_paths_have_clean_segments(s in "/[a-z./]{0,12}") {
            if validate_path(&s).is_ok() && s != "/" {
                for seg in s[1..].split('/') {
                    prop_assert!(!seg.is_empty() && seg != "." && seg != "..");
                }
            }
        }
    }
}
