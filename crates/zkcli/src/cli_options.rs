//! Option parsing as commons-cli 1.5's `DefaultParser` does it for zkCli's
//! commands (short options only, `stopAtNonOption` off): options may come
//! anywhere, `-sw` bundles flags, `-v5` and `-v=5` carry a value, `--`
//! ends option parsing, and anything else that starts with `-` is an
//! unrecognized option.

/// One option a command accepts: `Options.addOption(name, hasArg, desc)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opt {
    pub name: char,
    pub has_arg: bool,
    pub desc: &'static str,
}

impl Opt {
    pub(crate) const fn flag(name: char, desc: &'static str) -> Opt {
        Opt { name, has_arg: false, desc }
    }

    pub(crate) const fn arg(name: char, desc: &'static str) -> Opt {
        Opt { name, has_arg: true, desc }
    }
}

/// A parsed command line (`CommandLine`): the leftover arguments (the
/// command name first) and each option occurrence with its value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub args: Vec<String>,
    opts: Vec<(char, Option<String>)>,
}

impl Parsed {
    pub(crate) fn has(&self, name: char) -> bool {
        self.opts.iter().any(|(n, _)| *n == name)
    }

    /// `getOptionValue`: the first value given for `name`.
    pub(crate) fn value(&self, name: char) -> Option<&str> {
        self.opts.iter().filter(|(n, _)| *n == name).find_map(|(_, v)| v.as_deref())
    }

    /// The positional argument at `i` (0 is the command name).
    pub(crate) fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }
}

/// What `CliParseException(ParseException)` prints: the exception's
/// `toString()`.
fn unrecognized(token: &str) -> String {
    format!("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: {token}")
}

fn missing(name: char) -> String {
    format!("org.apache.commons.cli.MissingArgumentException: Missing argument for option: {name}")
}

struct Parser<'a> {
    spec: &'a [Opt],
    out: Parsed,
    /// The last option taken, while it still wants its value.
    waiting: Option<usize>,
    skip: bool,
}

/// Parse `tokens` (the command's name first) against `spec`.
pub(crate) fn parse(spec: &[Opt], tokens: &[String]) -> Result<Parsed, String> {
    let mut p = Parser { spec, out: Parsed::default(), waiting: None, skip: false };
    for t in tokens {
        p.token(t)?;
    }
    p.check_waiting()?;
    Ok(p.out)
}

/// `Util.stripLeadingHyphens`.
fn strip_hyphens(s: &str) -> &str {
    s.strip_prefix("--").or_else(|| s.strip_prefix('-')).unwrap_or(s)
}

/// `Util.stripLeadingAndTrailingQuotes`: a value given as its own word
/// loses one pair of double quotes when no other double quote is inside.
fn strip_quotes(s: &str) -> &str {
    match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if s.len() > 1 && !inner.contains('"') => inner,
        _ => s,
    }
}

impl Parser<'_> {
    fn find(&self, name: &str) -> Option<Opt> {
        let name = strip_hyphens(name);
        let mut chars = name.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => self.spec.iter().copied().find(|o| o.name == c),
            _ => None,
        }
    }

    /// `isShortOption` (there are no long options, so this is `isOption`).
    fn is_option(&self, token: &str) -> bool {
        let Some(body) = token.strip_prefix('-').filter(|b| !b.is_empty()) else {
            return false;
        };
        let name = body.split('=').next().unwrap_or("");
        self.find(name).is_some() || name.chars().next().is_some_and(|c| self.find(&c.to_string()).is_some())
    }

    fn token(&mut self, t: &str) -> Result<(), String> {
        if self.skip {
            self.out.args.push(t.to_string());
        } else if t == "--" {
            self.skip = true;
        } else if self.waiting.is_some() && !self.is_option(t) {
            self.set_value(strip_quotes(t));
        } else if t.starts_with("--") {
            return Err(unrecognized(t));
        } else if t.starts_with('-') && t != "-" {
            self.short(t)?;
        } else {
            self.unknown(t)?;
        }
        Ok(())
    }

    fn unknown(&mut self, t: &str) -> Result<(), String> {
        if t.starts_with('-') && t.chars().count() > 1 {
            return Err(unrecognized(t));
        }
        self.out.args.push(t.to_string());
        Ok(())
    }

    fn check_waiting(&self) -> Result<(), String> {
        match self.waiting.and_then(|i| self.out.opts.get(i)) {
            Some((name, None)) => Err(missing(*name)),
            _ => Ok(()),
        }
    }

    fn take(&mut self, o: Opt) -> Result<(), String> {
        self.check_waiting()?;
        self.out.opts.push((o.name, None));
        self.waiting = o.has_arg.then_some(self.out.opts.len() - 1);
        Ok(())
    }

    fn set_value(&mut self, v: &str) {
        if let Some(slot) = self.waiting.take().and_then(|i| self.out.opts.get_mut(i)) {
            slot.1 = Some(v.to_string());
        }
    }

    /// `handleShortAndLongOption` for a token with one leading `-`.
    fn short(&mut self, token: &str) -> Result<(), String> {
        let t = &token[1..];
        if t.chars().count() == 1 {
            return match self.find(t) {
                Some(o) => self.take(o),
                None => self.unknown(token),
            };
        }
        match t.split_once('=') {
            None => self.bundle(token),
            Some((name, value)) => match self.find(name) {
                Some(o) if o.has_arg && name.chars().count() == 1 => {
                    self.take(o)?;
                    self.set_value(value);
                    Ok(())
                }
                _ => self.unknown(token),
            },
        }
    }

    /// `handleConcatenatedOptions`: `-sw`, or `-v5` (the rest is the value).
    fn bundle(&mut self, token: &str) -> Result<(), String> {
        for (i, c) in token.char_indices().skip(1) {
            let Some(o) = self.find(&c.to_string()) else {
                return self.unknown(token);
            };
            self.take(o)?;
            let rest = &token[i + c.len_utf8()..];
            if o.has_arg && !rest.is_empty() {
                self.set_value(rest);
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &[Opt] = &[Opt::flag('s', "stat"), Opt::arg('v', "version"), Opt::flag('b', "base64")];

    type Occurrences = Vec<(char, Option<String>)>;
    type Expected<'a> = Result<(&'a [&'a str], &'a [(char, Option<&'a str>)]), &'a str>;

    fn run(line: &str) -> Result<(Vec<String>, Occurrences), String> {
        let tokens: Vec<String> = line.split(' ').map(String::from).collect();
        parse(SET, &tokens).map(|p| (p.args, p.opts))
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commons_cli_cases() {
        let cases: &[(&str, Expected)] = &[
            ("set /a x", Ok((&["set", "/a", "x"], &[]))),
            ("set -s /a x", Ok((&["set", "/a", "x"], &[('s', None)]))),
            ("set /a x -s", Ok((&["set", "/a", "x"], &[('s', None)]))),
            ("set -v 3 /a x", Ok((&["set", "/a", "x"], &[('v', Some("3"))]))),
            ("set -v3 /a x", Ok((&["set", "/a", "x"], &[('v', Some("3"))]))),
            ("set -v=3 /a x", Ok((&["set", "/a", "x"], &[('v', Some("3"))]))),
            ("set -sv 3 /a", Ok((&["set", "/a"], &[('s', None), ('v', Some("3"))]))),
            ("set -sv3 /a", Ok((&["set", "/a"], &[('s', None), ('v', Some("3"))]))),
            ("set -v -1 /a", Ok((&["set", "/a"], &[('v', Some("-1"))]))),
            ("set -v \"7\" /a", Ok((&["set", "/a"], &[('v', Some("7"))]))),
            ("set -- -s /a", Ok((&["set", "-s", "/a"], &[]))),
            ("set - /a", Ok((&["set", "-", "/a"], &[]))),
            ("set -z /a", Err("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -z")),
            ("set -sz /a", Err("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sz")),
            ("set --s /a", Err("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --s")),
            ("set -s=1 /a", Err("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -s=1")),
            ("set /a -v", Err("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v")),
            ("set -v -s /a", Err("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v")),
            ("set -v -- /a", Err("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v")),
        ];
        for (line, want) in cases {
            let got = run(line);
            match want {
                Ok((a, o)) => {
                    let o: Occurrences = o.iter().map(|(c, v)| (*c, v.map(String::from))).collect();
                    assert_eq!(got, Ok((args(a), o)), "{line}");
                }
                Err(e) => assert_eq!(got, Err(e.to_string()), "{line}"),
            }
        }
    }

    #[test]
    fn first_value_wins() {
        let p = parse(SET, &args(&["set", "-v", "1", "-v", "2", "/a"])).unwrap_or_default();
        assert_eq!(p.value('v'), Some("1"));
        assert!(!p.has('s'));
    }

    #[test]
    fn a_word_starting_with_two_dashes_can_be_a_value() {
        let p = parse(SET, &args(&["set", "-v", "--x", "/a"])).unwrap_or_default();
        assert_eq!(p.value('v'), Some("--x"));
    }
}
