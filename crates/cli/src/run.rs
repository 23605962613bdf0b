//! `zooscope run SCENARIO|LINK`: run a scenario to its end and summarise.

use crate::scenario_arg;
use sim::zk::ScenarioRun;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub struct Options {
    pub scenario: String,
    pub trace: Option<PathBuf>,
    pub max_steps: Option<u64>,
}

/// Run to the end and print the report; exit 1 if an invariant or a
/// client guarantee broke.
pub fn run(opts: &Options) -> Result<ExitCode, String> {
    let scenario = scenario_arg::load(&opts.scenario)?;
    let mut run = ScenarioRun::new(&scenario)?;
    if let Some(n) = opts.max_steps {
        run.world.set_step_budget(n);
    }
    let mut out = match &opts.trace {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()))?,
        )),
        None => None,
    };
    let mut write_error = None;
    let started = std::time::Instant::now();
    let result = run.run(&mut |e| {
        if let (Some(w), None) = (out.as_mut(), &write_error) {
            if let Err(err) = writeln!(w, "{}", e.json_line()) {
                write_error = Some(err);
            }
        }
    });
    if let Some(w) = out.as_mut() {
        w.flush().map_err(|e| format!("cannot write the trace: {e}"))?;
    }
    if let Some(e) = write_error {
        return Err(format!("cannot write the trace: {e}"));
    }
    let elapsed = started.elapsed();
    if !scenario.name.is_empty() {
        println!("{}", scenario.name);
    }
    print!("{}", run.report());
    println!(
        "{} events in {} rounds, {:.2} s of wall time",
        run.world.steps(),
        run.world.rounds(),
        elapsed.as_secs_f64()
    );
    result.map_err(|e| e.to_string())?;
    let broken = run.checker.total_violations();
    let inconsistent = run.consistency.report().total_violations;
    if broken + inconsistent > 0 {
        eprintln!(
            "zooscope: {broken} invariant violation(s), {inconsistent} consistency violation(s); see above"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
