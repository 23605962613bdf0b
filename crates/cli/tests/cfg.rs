//! `zooscope cfg import` and `zooscope cfg export` as a user runs them.

use std::path::PathBuf;
use std::process::{Command, Output};

const ZOOSCOPE: &str = env!("CARGO_BIN_EXE_zooscope");

/// A file in the temp directory, unique to this test process and name.
fn temp(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("zooscope-cfg-test-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write a temp file");
    path
}

fn zooscope(args: &[&str]) -> Output {
    Command::new(ZOOSCOPE).args(args).output().expect("run zooscope")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ENSEMBLE: &str = "\
# three voters and an observer
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
clientPort=2181
autopurge.purgeInterval=1
server.1=zk1:2888:3888
server.2=zk2:2888:3888
server.3=zk3:2888:3888
server.4=zk4:2888:3888:observer
";

#[test]
fn import_then_export() {
    let cfg = temp("ensemble.cfg", ENSEMBLE);
    let json = std::env::temp_dir().join(format!("zooscope-cfg-test-{}-ensemble.json", std::process::id()));
    let out = zooscope(&["cfg", "import", cfg.to_str().unwrap(), "--out", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("note: dataDir: "), "{stderr}");
    assert!(stderr.contains("note: autopurge.purgeInterval: "), "{stderr}");
    assert!(out.stdout.is_empty());

    let scenario: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("the scenario is JSON");
    assert_eq!(scenario["servers"].as_array().map(Vec::len), Some(4));
    assert_eq!(scenario["servers"][3]["observer"], true);
    assert_eq!(scenario["config"]["tickTime"], 2000);
    assert_eq!(scenario["name"], format!("zooscope-cfg-test-{}-ensemble.cfg", std::process::id()));

    let out = zooscope(&["cfg", "export", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported = text(&out.stdout);
    for line in
        ["tickTime=2000", "initLimit=10", "syncLimit=5", "server.1=zk1:2888:3888", "server.4=zk4:2888:3888:observer"]
    {
        assert!(exported.lines().any(|l| l == line), "{line} missing from\n{exported}");
    }

    // The exported file imports to the same servers and settings.
    let again = temp("exported.cfg", &exported);
    let out = zooscope(&["cfg", "import", again.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let back: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(back["servers"], scenario["servers"]);
    assert_eq!(back["config"], scenario["config"]);

    for p in [cfg, json, again] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn a_bad_file_exits_2_naming_the_line() {
    let cfg = temp("bad.cfg", "dataDir=/d\n# the unit\ntickTime=two seconds\n");
    let out = zooscope(&["cfg", "import", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("line 3: tickTime"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_file(cfg);
}

#[test]
fn bad_arguments_exit_2() {
    let out = zooscope(&["cfg", "import", "/nonexistent/zoo.cfg"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).lines().count(), 1);
    let out = zooscope(&["cfg", "export", "#v1.not-a-link"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).lines().count(), 1, "{}", text(&out.stderr));
}
