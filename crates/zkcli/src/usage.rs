//! zkCli's command table and its help texts: the usage listing an unknown
//! command prints, each command's usage string, and commons-cli's
//! `HelpFormatter` option list.

use crate::cli_options::Opt;

/// Every command ZooScope runs with its syntax (`commandMap`), in the
/// order Java's sorted `String`s give.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    (
        "addWatch",
        "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is \
         PERSISTENT_RECURSIVE",
    ),
    ("addauth", "scheme auth"),
    ("close", ""),
    ("connect", "host:port"),
    ("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]"),
    ("delete", "[-v version] path"),
    ("deleteall", "path [-b batch size]"),
    ("get", "[-s] [-w] [-b] [-x] path"),
    ("getAcl", "[-s] path"),
    ("getAllChildrenNumber", "path"),
    ("getEphemerals", "path"),
    ("history", ""),
    ("ls", "[-s] [-w] [-R] path"),
    ("printwatches", "on|off"),
    ("quit", ""),
    ("redo", "cmdno"),
    ("removewatches", "path [-c|-d|-a] [-l]"),
    ("set", "path data [-s] [-v version] [-b]"),
    ("setAcl", "[-s] [-v version] [-R] path acl"),
    ("stat", "[-w] path"),
    ("sync", "path"),
    ("version", ""),
    ("whoami", ""),
];

/// zkCli commands ZooScope leaves out (quotas, dynamic reconfiguration).
pub(crate) const UNSUPPORTED: &[&str] = &["config", "delquota", "listquota", "reconfig", "setquota"];

pub(crate) fn syntax_of(name: &str) -> &'static str {
    COMMANDS.iter().find(|(n, _)| *n == name).map_or("", |(_, s)| s)
}

/// `ZooKeeperMain.usage()` (stderr).
pub(crate) fn usage_listing() -> Vec<String> {
    let mut lines = vec!["ZooKeeper -server host:port -client-configuration properties-file cmd args".to_string()];
    lines.extend(COMMANDS.iter().map(|(name, syntax)| format!("\t{name} {syntax}")));
    lines
}

/// `CliCommand.getUsageStr()`. Commands built with their `Options` (get,
/// set) append the option list; the message then ends in a line break, so
/// printing it leaves an empty line.
pub(crate) fn command_usage(name: &str, options: Option<&[Opt]>) -> Vec<String> {
    let mut lines = vec![format!("{name} {}", syntax_of(name))];
    if let Some(opts) = options.filter(|o| !o.is_empty()) {
        lines.extend(option_lines(opts));
        lines.push(String::new());
    }
    lines
}

/// `HelpFormatter.printHelp(syntax, options)` (stdout), as `ls -?` uses.
pub(crate) fn help(syntax: &str, options: &[Opt]) -> Vec<String> {
    let mut lines = vec![format!("usage: {syntax}")];
    lines.extend(option_lines(options));
    lines
}

/// `HelpFormatter.renderOptions`: sorted by name ignoring case, one space
/// of left padding, names padded to the widest, three spaces, description.
fn option_lines(options: &[Opt]) -> Vec<String> {
    let mut sorted = options.to_vec();
    sorted.sort_by_key(|o| o.name.to_ascii_lowercase());
    let prefix = |o: &Opt| if o.has_arg { format!(" -{} <arg>", o.name) } else { format!(" -{}", o.name) };
    let width = sorted.iter().map(|o| prefix(o).len()).max().unwrap_or(0);
    sorted.iter().map(|o| format!("{:<width$}   {}", prefix(o), o.desc).trim_end().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_java_string_order_and_omits_unsupported() {
        let names: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(UNSUPPORTED.iter().all(|u| !names.contains(u)));
    }

    #[test]
    fn listing_starts_with_the_invocation_line() {
        let l = usage_listing();
        assert_eq!(l[0], "ZooKeeper -server host:port -client-configuration properties-file cmd args");
        assert_eq!(l[1], "\taddWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE");
        assert_eq!(l[2], "\taddauth scheme auth");
        assert_eq!(l[3], "\tclose ");
        assert!(l.contains(&"\tls [-s] [-w] [-R] path".to_string()));
        assert_eq!(l.len(), COMMANDS.len() + 1);
    }

    #[test]
    fn option_lists_are_help_formatters() {
        let get = [
            Opt::flag('s', "Print znode stats additionally"),
            Opt::flag('w', "Watch for changes on the znode"),
            Opt::flag('b', "Output data in base64 format"),
            Opt::flag('x', "Output data in hexdump format"),
        ];
        assert_eq!(
            command_usage("get", Some(&get)),
            vec![
                "get [-s] [-w] [-b] [-x] path",
                " -b   Output data in base64 format",
                " -s   Print znode stats additionally",
                " -w   Watch for changes on the znode",
                " -x   Output data in hexdump format",
                "",
            ]
        );
        let set = [
            Opt::flag('s', "Print znode stats additionally"),
            Opt::arg('v', "Set with an expected version"),
            Opt::flag('b', "Supply data in base64 format"),
        ];
        assert_eq!(
            command_usage("set", Some(&set)),
            vec![
                "set path data [-s] [-v version] [-b]",
                " -b         Supply data in base64 format",
                " -s         Print znode stats additionally",
                " -v <arg>   Set with an expected version",
                "",
            ]
        );
        assert_eq!(command_usage("stat", None), vec!["stat [-w] path"]);
        let ls = [Opt::flag('?', "help"), Opt::flag('s', "stat"), Opt::flag('w', "watch"), Opt::flag('R', "recurse")];
        assert_eq!(
            help("ls [options] path", &ls),
            vec!["usage: ls [options] path", " -?   help", " -R   recurse", " -s   stat", " -w   watch"]
        );
    }
}
