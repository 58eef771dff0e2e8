// SPDX-License-Identifier: GPL-2.0

//! The subcommands.  Messages are worded as kmod's insmod, rmmod and
//! modprobe word theirs (kmod `tools/insmod.c`, `tools/rmmod.c`,
//! `tools/modprobe.c`), with rloaderctl's name in front.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::dev::{self, DevError};
use crate::image;
use crate::klog::Mark;
use crate::kmod::{errno_str, Context, Module, Probe, State};
use crate::ModprobeArgs;

const PROG: &str = "rloaderctl";

/// How often `unload --wait` retries a module in use.
const WAIT_STEP: Duration = Duration::from_millis(50);

/// A line on stdout; a closed stdout is not worth a panic.
macro_rules! out {
    ($($a:tt)*) => {{ let _ = writeln!(std::io::stdout(), $($a)*); }};
}
/// A line on stderr, prefixed with the program's name.
macro_rules! err {
    ($($a:tt)*) => {{ let _ = writeln!(std::io::stderr(), "{}: {}", PROG, format!($($a)*)); }};
}

/// An I/O error as strerror() words it (without Rust's "(os error N)").
fn io_str(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => errno_str(n),
        None => e.to_string(),
    }
}

/// insmod's wording of a load error (`mod_strerror()` of `tools/insmod.c`).
fn insmod_strerror(errno: i32) -> String {
    match errno {
        libc::ENOEXEC => "Invalid module format".into(),
        libc::ENOENT => "Unknown symbol in module".into(),
        libc::ESRCH => "Module has wrong symbol version".into(),
        libc::EINVAL => "Invalid parameters".into(),
        e => errno_str(e),
    }
}

/// modprobe's wording of a load error (`insmod()` of `tools/modprobe.c`).
fn modprobe_strerror(errno: i32) -> String {
    match errno {
        libc::EEXIST => "Module already in kernel".into(),
        libc::ENOENT => "Unknown symbol in module, or unknown parameter (see dmesg)".into(),
        e => errno_str(e),
    }
}

/// Explains a failure to open the device.
fn open_hint(e: &DevError) -> &'static str {
    match e.errno() {
        libc::ENOENT | libc::ENODEV | libc::ENXIO => " (is the rloader module loaded?)",
        _ => "",
    }
}

/// Quotes the kernel's own lines about the failure.
fn print_kernel_reasons(lines: &[String]) {
    for l in lines {
        err!("kernel: {l}");
    }
}

/// Loads `img` through the device, returning the errno and the kernel's
/// lines about `name` on failure.
fn load_image(img: &[u8], name: &str, params: &str) -> Result<(), (DevError, Vec<String>)> {
    let mut mark = Mark::now();
    dev::load(img, params).map_err(|e| {
        let lines = mark.reasons(name);
        (e, lines)
    })
}

/// `rloaderctl load FILE [PARAM=VALUE...]`: insmod.
pub(crate) fn load(file: &str, params: &[String]) -> bool {
    let img = match image::read(file) {
        Ok(i) => i,
        Err(e) => {
            err!("ERROR: could not load module {file}: {}", io_str(&e));
            return false;
        }
    };
    let name = image::module_name(&img).unwrap_or_else(|| image::name_from_path(file));
    match load_image(&img, &name, &params.join(" ")) {
        Ok(()) => true,
        Err((e, lines)) => {
            if e.step == "open" {
                err!(
                    "ERROR: could not open {}: {}{}",
                    dev::DEV,
                    errno_str(e.errno()),
                    open_hint(&e)
                );
            } else {
                err!(
                    "ERROR: could not insert module {file}: {}",
                    insmod_strerror(e.errno())
                );
                print_kernel_reasons(&lines);
            }
            false
        }
    }
}

/// Why a module cannot be removed now, in rmmod's words
/// (`check_module_inuse()` of `tools/rmmod.c`).
fn in_use(m: &Module) -> Option<String> {
    let holders = m.holders();
    if !holders.is_empty() {
        return Some(format!(
            "Module {} is in use by: {}",
            m.name(),
            holders.join(" ")
        ));
    }
    match m.refcnt() {
        Ok(0) => None,
        Ok(_) => Some(format!("Module {} is in use", m.name())),
        Err(libc::ENOENT) => Some("Module unloading is not supported".into()),
        Err(_) => None,
    }
}

/// Unloads one module, retrying while it is in use for up to `wait`.
fn unload_one(ctx: &Context, arg: &str, wait: Option<u64>) -> Result<String, String> {
    let name = image::name_from_path(arg);
    let m = ctx.module(&name)?;
    match m.state() {
        State::Builtin => return Err(format!("Module {name} is builtin.")),
        State::Absent => return Err(format!("Module {name} is not currently loaded")),
        State::Loaded => {}
    }
    let deadline = wait.map(|ms| Instant::now() + Duration::from_millis(ms));
    loop {
        let busy = in_use(&m);
        let res = match &busy {
            Some(why) if deadline.is_none() => return Err(why.clone()),
            Some(_) => Err(libc::EAGAIN),
            None => dev::unload(&name).map_err(|e| e.errno()),
        };
        match res {
            Ok(()) => return Ok(name),
            Err(libc::EAGAIN) if deadline.is_some_and(|d| Instant::now() < d) => {
                std::thread::sleep(WAIT_STEP)
            }
            Err(e) => {
                return Err(match busy {
                    Some(why) => why,
                    None => format!("could not remove module {name}: {}", errno_str(e)),
                })
            }
        }
    }
}

/// `rloaderctl unload NAME...`: rmmod.
pub(crate) fn unload(names: &[String], wait: Option<u64>, quiet: bool) -> bool {
    let ctx = match Context::new(None, &[]) {
        Ok(c) => c,
        Err(e) => {
            err!("ERROR: {e}");
            return false;
        }
    };
    let (mut removed, mut failed) = (0, 0);
    for n in names {
        match unload_one(&ctx, n, wait) {
            Ok(name) => {
                removed += 1;
                if names.len() > 1 && !quiet {
                    out!("{name}: removed");
                }
            }
            Err(e) => {
                failed += 1;
                err!("ERROR: {e}");
            }
        }
    }
    if names.len() > 1 && !quiet {
        out!("{removed} removed, {failed} failed");
    }
    failed == 0
}

/// `rloaderctl list`: lsmod for rloader's modules.
pub(crate) fn list() -> bool {
    match crate::list::run() {
        Ok(t) => {
            let _ = std::io::stdout().write_all(t.as_bytes());
            true
        }
        Err(e) => {
            err!(
                "ERROR: could not read {}: {}{}",
                dev::DEV,
                errno_str(e.errno()),
                open_hint(&e)
            );
            false
        }
    }
}

/// `rloaderctl check FILE`.
pub(crate) fn check(file: &str) -> bool {
    let img = match image::read(file) {
        Ok(i) => i,
        Err(e) => {
            err!("ERROR: could not read {file}: {}", io_str(&e));
            return false;
        }
    };
    match crate::check::run(file, &img) {
        Ok((report, ok)) => {
            let _ = std::io::stdout().write_all(report.as_bytes());
            ok
        }
        Err(e) => {
            err!("ERROR: {e}");
            false
        }
    }
}

/// The running kernel's release, as `uname -r` prints it.
fn kernel_release() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string())
}

/// The libkmod context of modprobe: `-d ROOT` names the root under which
/// `lib/modules/$(uname -r)` is, as for kmod's modprobe.
fn context(a: &ModprobeArgs) -> Option<Context> {
    let dir = match (&a.dirname, kernel_release()) {
        (None, _) => None,
        (Some(root), Some(rel)) => {
            Some(format!("{}/lib/modules/{rel}", root.trim_end_matches('/')))
        }
        (Some(_), None) => {
            err!("FATAL: could not read the kernel release from /proc/sys/kernel/osrelease");
            return None;
        }
    };
    let ctx = match Context::new(dir.as_deref(), &a.config) {
        Ok(c) => c,
        Err(e) => {
            err!("FATAL: {e}");
            return None;
        }
    };
    // As modprobe: a missing index is "not found in directory" later.
    ctx.load_resources();
    Some(ctx)
}

/// The modules `name` stands for, or the "not found" error of modprobe
/// (silent with `-q`, as modprobe is).
fn lookup(ctx: &Context, name: &str, quiet: bool) -> Option<Vec<Module>> {
    match ctx.lookup(name) {
        Ok(v) if !v.is_empty() => Some(v),
        Ok(_) => {
            if !quiet {
                err!(
                    "FATAL: Module {name} not found in directory {}",
                    ctx.dirname()
                );
            }
            None
        }
        Err(e) => {
            err!("FATAL: {e}");
            None
        }
    }
}

/// Counts of a multi-module operation.
#[derive(Default)]
struct Tally {
    done: u32,
    already: u32,
    failed: u32,
}

/// What happened to one step of a probe.
enum Outcome {
    Loaded,
    Already,
    Failed,
}

/// Loads one step of a probe through the device.
fn load_step(s: &crate::kmod::Step, quiet: bool) -> Outcome {
    let name = s.module.name();
    let line = |what: &str| {
        if !quiet {
            out!("{name}: {what}");
        }
    };
    match s.module.state() {
        State::Loaded => {
            line("already loaded");
            return Outcome::Already;
        }
        State::Builtin => {
            line("built in");
            return Outcome::Already;
        }
        State::Absent => {}
    }
    if s.install {
        err!("ERROR: could not insert '{name}': install commands of modprobe.d are not supported");
        return Outcome::Failed;
    }
    let Some(path) = s.module.path() else {
        err!("ERROR: could not insert '{name}': the modules directory has no file for it");
        return Outcome::Failed;
    };
    let img = match image::read(&path) {
        Ok(i) => i,
        Err(e) => {
            err!("ERROR: could not insert '{name}': {path}: {}", io_str(&e));
            return Outcome::Failed;
        }
    };
    match load_image(&img, &name, &s.options) {
        Ok(()) => {
            line("loaded");
            Outcome::Loaded
        }
        // Loaded meanwhile (another request_module(), or insmod).
        Err((e, _)) if e.errno() == libc::EEXIST => {
            line("already loaded");
            Outcome::Already
        }
        Err((e, lines)) => {
            if e.step == "open" {
                err!(
                    "ERROR: could not open {}: {}{}",
                    dev::DEV,
                    errno_str(e.errno()),
                    open_hint(&e)
                );
            } else {
                err!(
                    "ERROR: could not insert '{name}': {}",
                    modprobe_strerror(e.errno())
                );
                print_kernel_reasons(&lines);
            }
            Outcome::Failed
        }
    }
}

/// Loads one module found by the lookup, with everything it needs.
fn probe_one(m: &Module, a: &ModprobeArgs, params: &str, quiet: bool, t: &mut Tally) -> bool {
    let steps = match m.probe(params, a.use_blacklist) {
        Ok(Probe::Blacklisted) => {
            if !quiet {
                out!("{}: blacklisted", m.name());
            }
            return true;
        }
        Ok(Probe::Steps(s)) => s,
        Err(e) => {
            err!("ERROR: could not insert '{}': {e}", m.name());
            t.failed += 1;
            return false;
        }
    };
    if a.show_depends {
        for s in &steps {
            match (s.module.state(), s.module.path()) {
                (State::Builtin, _) | (_, None) => out!("builtin {}", s.module.name()),
                (_, Some(p)) => out!("insmod {p} {}", s.options),
            }
        }
        return true;
    }
    // Soft dependencies are optional, as in libkmod: only the module and
    // its modules.dep dependencies must load.
    let mut required: Vec<String> = m.dependencies().iter().map(Module::name).collect();
    required.push(m.name());
    for s in &steps {
        match load_step(s, quiet) {
            Outcome::Loaded => t.done += 1,
            Outcome::Already => t.already += 1,
            Outcome::Failed => {
                t.failed += 1;
                if required.contains(&s.module.name()) {
                    return false;
                }
            }
        }
    }
    true
}

/// `rloaderctl modprobe NAME|ALIAS [PARAM=VALUE...]`.
pub(crate) fn modprobe(a: &ModprobeArgs, quiet: bool) -> bool {
    let Some(ctx) = context(a) else { return false };
    let (name, params) = match a.args.split_first() {
        Some((n, p)) => (n, p.join(" ")),
        None => return false,
    };
    let Some(mods) = lookup(&ctx, name, quiet) else {
        return false;
    };
    let mut t = Tally::default();
    let mut ok = true;
    for m in &mods {
        ok &= probe_one(m, a, &params, quiet, &mut t);
    }
    if !quiet && !a.show_depends {
        out!(
            "{} loaded, {} already loaded, {} failed",
            t.done,
            t.already,
            t.failed
        );
    }
    ok
}

/// Removes the dependencies of a removed module that nothing else uses,
/// repeating until no more can go (a dependency may hold another).
fn remove_unused(deps: Vec<Module>, quiet: bool, t: &mut Tally) {
    let mut left: Vec<Module> = deps
        .into_iter()
        .filter(|d| d.state() == State::Loaded)
        .collect();
    loop {
        let before = left.len();
        left.retain(|d| {
            if in_use(d).is_some() || d.has_remove_command() {
                return true;
            }
            match dev::unload(&d.name()) {
                Ok(()) => {
                    t.done += 1;
                    if !quiet {
                        out!("{}: removed", d.name());
                    }
                    false
                }
                Err(_) => true,
            }
        });
        if left.len() == before {
            break;
        }
    }
    for d in &left {
        t.already += 1;
        if !quiet {
            match in_use(d) {
                Some(why) => out!("{}: kept: {why}", d.name()),
                None => out!("{}: kept", d.name()),
            }
        }
    }
}

/// Removes one module and the dependencies nothing else uses.
fn remove_one(m: &Module, quiet: bool, t: &mut Tally) -> bool {
    let name = m.name();
    match m.state() {
        State::Absent => {
            if !quiet {
                out!("{name}: not loaded");
            }
            return true;
        }
        State::Builtin => {
            err!("FATAL: Module {name} is builtin.");
            t.failed += 1;
            return false;
        }
        State::Loaded => {}
    }
    if m.has_remove_command() {
        err!("FATAL: could not remove '{name}': remove commands of modprobe.d are not supported");
        t.failed += 1;
        return false;
    }
    if let Some(why) = in_use(m) {
        err!("FATAL: {why}");
        t.failed += 1;
        return false;
    }
    remove_unused(m.post_softdeps(), quiet, t);
    if let Err(e) = dev::unload(&name) {
        err!("FATAL: could not remove '{name}': {}", errno_str(e.errno()));
        t.failed += 1;
        return false;
    }
    t.done += 1;
    if !quiet {
        out!("{name}: removed");
    }
    remove_unused(m.dependencies(), quiet, t);
    true
}

/// `rloaderctl modprobe -r NAME...`.
pub(crate) fn modprobe_remove(a: &ModprobeArgs, quiet: bool) -> bool {
    let Some(ctx) = context(a) else { return false };
    let mut t = Tally::default();
    let mut ok = true;
    for name in &a.args {
        let Some(mods) = lookup(&ctx, name, quiet) else {
            ok = false;
            continue;
        };
        for m in &mods {
            ok &= remove_one(m, quiet, &mut t);
        }
    }
    if !quiet {
        out!(
            "{} removed, {} kept, {} failed",
            t.done,
            t.already,
            t.failed
        );
    }
    ok
}
