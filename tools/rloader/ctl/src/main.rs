// SPDX-License-Identifier: GPL-2.0

//! `rloaderctl`: insmod, rmmod, lsmod and modprobe over `/dev/rloader`.
//!
//! Modules are loaded through rloader (`Documentation/rloader/index.rst`)
//! instead of `finit_module(2)`; dependencies, aliases, soft dependencies,
//! options and blacklists come from libkmod, as for kmod's `modprobe`.  Run
//! as the kernel's modprobe helper (`/proc/sys/kernel/modprobe`) it serves
//! `request_module()`.  See `Documentation/rloader/rloaderctl.rst`.

mod check;
mod dev;
mod image;
mod klog;
mod kmod;
mod list;
mod ops;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Loads, unloads and lists kernel modules through /dev/rloader.
#[derive(Parser)]
#[command(name = "rloaderctl", version, about, long_about = None)]
struct Cli {
    /// Print only errors: no per-module lines, no summary.
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Load one module file, like insmod.
    Load {
        /// The module file (.ko, .ko.gz, .ko.xz or .ko.zst), or - for stdin.
        file: String,
        /// Module parameters, as name=value.
        params: Vec<String>,
    },
    /// Unload modules by name, like rmmod.
    Unload {
        /// Module names (a file name such as vfat.ko is taken as its name).
        #[arg(required = true)]
        names: Vec<String>,
        /// While a module is in use, retry for up to MSEC milliseconds
        /// (default 10000) instead of failing.
        #[arg(short, long, value_name = "MSEC", num_args = 0..=1, default_missing_value = "10000")]
        wait: Option<u64>,
    },
    /// List the modules rloader loaded, like lsmod.
    List,
    /// Say whether rloader would load a module file, and why not.
    Check {
        /// The module file (compressed or not), or - for stdin.
        file: String,
    },
    /// Load a module with its dependencies, or remove a stack, like modprobe.
    Modprobe(ModprobeArgs),
}

/// The arguments of `rloaderctl modprobe`.
#[derive(Args)]
pub(crate) struct ModprobeArgs {
    /// Remove the modules and the dependencies nothing else uses.
    #[arg(short, long)]
    pub(crate) remove: bool,
    /// Apply the blacklist to modules named directly too, not only to
    /// aliases.
    #[arg(short = 'b', long)]
    pub(crate) use_blacklist: bool,
    /// Print what would be loaded (insmod PATH OPTIONS), load nothing.
    #[arg(long)]
    pub(crate) show_depends: bool,
    /// Use ROOT/lib/modules/$(uname -r) as the modules directory (default
    /// /lib/modules/$(uname -r)).
    #[arg(short, long, value_name = "ROOT")]
    pub(crate) dirname: Option<String>,
    /// A modprobe.d file or directory to use instead of the default ones.
    #[arg(short = 'C', long, value_name = "PATH")]
    pub(crate) config: Vec<String>,
    /// The module name or alias, then its parameters (with -r: names).
    #[arg(required = true, value_name = "NAME|ALIAS [PARAM=VALUE]")]
    pub(crate) args: Vec<String>,
}

/// The kernel runs its modprobe helper as `PATH -q -- NAME`
/// (`call_modprobe()` in `kernel/module/kmod.c`).  Run under the name
/// `modprobe`, or with exactly that shape of arguments, rloaderctl is that
/// helper: the command line is the one of `rloaderctl modprobe`.
fn as_modprobe_helper(mut argv: Vec<OsString>) -> Vec<OsString> {
    let called_modprobe = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|b| b == "modprobe");
    let helper_shape = argv.len() == 4 && argv[1] == "-q" && argv[2] == "--";
    if called_modprobe || helper_shape {
        argv.insert(1, "modprobe".into());
    }
    argv
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(as_modprobe_helper(std::env::args_os().collect()));
    let quiet = cli.quiet;
    let ok = match cli.cmd {
        Cmd::Load { file, params } => ops::load(&file, &params),
        Cmd::Unload { names, wait } => ops::unload(&names, wait, quiet),
        Cmd::List => ops::list(),
        Cmd::Check { file } => ops::check(&file),
        Cmd::Modprobe(a) if a.remove => ops::modprobe_remove(&a, quiet),
        Cmd::Modprobe(a) => ops::modprobe(&a, quiet),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn argv(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn kernel_helper_shape() {
        assert_eq!(
            as_modprobe_helper(argv(&["/usr/bin/rloaderctl", "-q", "--", "fs-vfat"])),
            argv(&["/usr/bin/rloaderctl", "modprobe", "-q", "--", "fs-vfat"])
        );
        assert_eq!(
            as_modprobe_helper(argv(&["/sbin/modprobe", "-r", "vfat"])),
            argv(&["/sbin/modprobe", "modprobe", "-r", "vfat"])
        );
        assert_eq!(
            as_modprobe_helper(argv(&["rloaderctl", "list"])),
            argv(&["rloaderctl", "list"])
        );
    }

    #[test]
    fn helper_command_line_parses() {
        let cli =
            Cli::try_parse_from(argv(&["rloaderctl", "modprobe", "-q", "--", "fs-vfat"])).unwrap();
        assert!(cli.quiet);
        match cli.cmd {
            Cmd::Modprobe(a) => assert_eq!(a.args, vec!["fs-vfat".to_string()]),
            _ => panic!("not modprobe"),
        }
    }
}
