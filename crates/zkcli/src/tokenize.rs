//! Splitting a command line into words as `ZooKeeperMain.MyCommandOptions
//! .parseCommand` does: Java's `find()` over
//! `\s*([^"']\S*|"[^"]*"|'[^']*')\s*`, then one pair of matching outer
//! quotes removed from each word.
//!
//! The regex has corners zkCli users can hit, and the shell reproduces
//! them rather than "fixing" them: an unclosed quote is skipped, `"a"b` is
//! two words, and a line of only blanks is one blank word (an unknown
//! command).

/// Java's `\s`: ASCII blanks only.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// Characters `.` does not match without DOTALL.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_quote(c: char) -> bool {
    c == '"' || c == '\''
}

/// The words of `line`, in order.
pub(crate) fn split_args(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut from = 0;
    while let Some((start, end, next)) = find(&chars, from) {
        words.push(unquote(&chars[start..end]));
        from = next;
    }
    words
}

/// `Matcher.find()` from `from`: the first position where the pattern
/// matches, as (group start, group end, match end).
fn find(chars: &[char], from: usize) -> Option<(usize, usize, usize)> {
    (from..chars.len()).find_map(|start| match_at(chars, start))
}

/// The pattern anchored at `start`. The leading `\s*` is greedy, so the
/// group is tried after the longest run of blanks first, then after
/// shorter ones (which lets the group begin with a blank).
fn match_at(chars: &[char], start: usize) -> Option<(usize, usize, usize)> {
    let blanks_end = skip_spaces(chars, start);
    (start..=blanks_end).rev().find_map(|s| group_at(chars, s).map(|end| (s, end, skip_spaces(chars, end))))
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| is_space(*c)) {
        i += 1;
    }
    i
}

/// The group's alternatives at `s`; returns where the group ends.
fn group_at(chars: &[char], s: usize) -> Option<usize> {
    let first = *chars.get(s)?;
    if is_quote(first) {
        let close = chars.get(s + 1..)?.iter().position(|c| *c == first)?;
        Some(s + 1 + close + 1)
    } else {
        let rest = chars.get(s + 1..).unwrap_or(&[]);
        Some(s + 1 + rest.iter().take_while(|c| !is_space(**c)).count())
    }
}

/// `QUOTED_PATTERN` `^(['"])(.*)(\1)$`: strip one pair of matching quotes.
fn unquote(word: &[char]) -> String {
    if let [first, middle @ .., last] = word {
        if is_quote(*first) && first == last && !middle.iter().any(|c| is_line_terminator(*c)) {
            return middle.iter().collect();
        }
    }
    word.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn words_as_zookeeper_main_splits_them() {
        let cases: &[(&str, &[&str])] = &[
            ("ls /", &["ls", "/"]),
            ("  ls   -s  /a  ", &["ls", "-s", "/a"]),
            ("create /a \"hello world\"", &["create", "/a", "hello world"]),
            ("create /a 'single quoted'", &["create", "/a", "single quoted"]),
            ("set /a \"\"", &["set", "/a", ""]),
            ("set /a 'it\"s'", &["set", "/a", "it\"s"]),
            // Quotes inside a word stay.
            ("set /a x\"y z\"", &["set", "/a", "x\"y", "z\""]),
            // A quoted word ends at its closing quote.
            ("get \"/a\"b", &["get", "/a", "b"]),
            // An unclosed quote is skipped.
            ("ls \"/a", &["ls", "/a"]),
            ("\"", &[]),
            // Only blanks: the group starts on the last blank.
            ("   ", &[" "]),
            ("\t", &["\t"]),
            // Leading blanks before an unclosed quote become part of the word.
            ("  \"abc", &[" \"abc"]),
            ("ls\t/a", &["ls", "/a"]),
            ("create /配置 数据", &["create", "/配置", "数据"]),
        ];
        for (line, want) in cases {
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(split_args(line), want, "{line:?}");
        }
    }

    #[test]
    fn empty_line_has_no_words() {
        assert!(split_args("").is_empty());
    }
}
