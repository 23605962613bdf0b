//! `zooscope check TRACE`: the consistency checker on a trace exported as
//! JSON lines (`zooscope run --trace`, or the page's export), from a file
//! or standard input (`-`).

use sim::zk::consistency::ConsistencyChecker;
use sim::Entry;
use std::io::BufRead;
use std::process::ExitCode;
use zab::Zk;

/// Check a trace; exit 1 if a client guarantee broke. A line that is not a
/// trace entry is an error naming its line (exit 2), never a panic.
pub fn run(path: &str) -> Result<ExitCode, String> {
    let checker = if path == "-" {
        check(std::io::stdin().lock(), "standard input")?
    } else {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        check(std::io::BufReader::new(f), path)?
    };
    print!("{}", render(&checker));
    Ok(if checker.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Feed every entry of a JSON-lines trace to a fresh checker.
pub fn check(input: impl BufRead, name: &str) -> Result<ConsistencyChecker, String> {
    let mut c = ConsistencyChecker::new();
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("{name}: line {n}: cannot read: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry<Zk> =
            serde_json::from_str(&line).map_err(|e| format!("{name}: line {n}: not a trace entry: {e}"))?;
        c.observe(&e);
    }
    Ok(c)
}

/// The verdict, each client's tallies and latest operation, what still
/// waits, and the violations with their counterexamples.
pub fn render(c: &ConsistencyChecker) -> String {
    let r = c.report();
    let mut s = format!("{}\n", r.verdict());
    if !r.clients.is_empty() {
        s.push_str("clients:\n");
        for (node, t) in &r.clients {
            s.push_str(&format!("  client {} (node {node}): {}\n", t.name, t.line()));
            if let Some(l) = &t.latest {
                s.push_str(&format!("    latest: {}\n", l.text));
            }
        }
    }
    let waiting = c.waiting(r.now);
    if !waiting.is_empty() {
        s.push_str("still waiting at the end:\n");
        for w in waiting {
            s.push_str(&format!("  client {}: {}\n", w.op.client_name, w.text));
        }
    }
    if !r.violations.is_empty() {
        s.push_str("violations:\n");
        for v in &r.violations {
            s.push_str(&format!("  {v}\n"));
        }
        if r.total_violations > r.violations.len() as u64 {
            s.push_str(&format!("  ... and {} more\n", r.total_violations - r.violations.len() as u64));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn a_bad_line_is_named_not_a_panic() {
        let input = "\n{\"at\":0,\"kind\":\"boot\",\"node\":1}\n{\"at\":1,\"kind\":\"nonsense\"}\n";
        let err = check(input.as_bytes(), "t.jsonl").err().unwrap_or_default();
        assert!(err.starts_with("t.jsonl: line 3: not a trace entry"), "{err}");
        assert!(check("not json".as_bytes(), "x").is_err());
        assert!(check("".as_bytes(), "x").is_ok_and(|c| c.ok()));
    }
}
