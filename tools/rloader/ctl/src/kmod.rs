// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers of the parts of libkmod that rloaderctl uses.
//!
//! C header: `/usr/include/libkmod.h` (kmod 30, Debian `libkmod-dev`).
//! libkmod does all the reading of `modules.dep`, `modules.alias`,
//! `modules.softdep` and `modprobe.d`; rloaderctl parses none of them.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::ptr::{self, NonNull};

#[repr(C)]
struct RawCtx {
    _private: [u8; 0],
}
#[repr(C)]
struct RawModule {
    _private: [u8; 0],
}
#[repr(C)]
struct RawList {
    _private: [u8; 0],
}

/// `KMOD_PROBE_IGNORE_LOADED`: list modules that are loaded already too.
const PROBE_IGNORE_LOADED: c_uint = 0x00008;
/// `KMOD_PROBE_DRY_RUN`: only report, through `print_action`.
const PROBE_DRY_RUN: c_uint = 0x00010;
/// `KMOD_PROBE_APPLY_BLACKLIST`: refuse a blacklisted module.
const PROBE_APPLY_BLACKLIST: c_uint = 0x20000;
/// `KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY`: refuse it when named by an alias.
const PROBE_APPLY_BLACKLIST_ALIAS_ONLY: c_uint = 0x40000;
/// `KMOD_MODULE_BUILTIN`, the first of `enum kmod_module_initstate`.
const MODULE_BUILTIN: c_int = 0;

#[link(name = "kmod")]
extern "C" {
    fn kmod_new(dirname: *const c_char, config_paths: *const *const c_char) -> *mut RawCtx;
    fn kmod_unref(ctx: *mut RawCtx) -> *mut RawCtx;
    fn kmod_load_resources(ctx: *mut RawCtx) -> c_int;
    fn kmod_get_dirname(ctx: *const RawCtx) -> *const c_char;
    fn kmod_list_next(list: *const RawList, curr: *const RawList) -> *mut RawList;
    fn kmod_module_new_from_lookup(
        ctx: *mut RawCtx,
        alias: *const c_char,
        list: *mut *mut RawList,
    ) -> c_int;
    fn kmod_module_new_from_name(
        ctx: *mut RawCtx,
        name: *const c_char,
        module: *mut *mut RawModule,
    ) -> c_int;
    fn kmod_module_unref(module: *mut RawModule) -> *mut RawModule;
    fn kmod_module_ref(module: *mut RawModule) -> *mut RawModule;
    fn kmod_module_unref_list(list: *mut RawList) -> c_int;
    fn kmod_module_get_module(entry: *const RawList) -> *mut RawModule;
    fn kmod_module_get_name(module: *const RawModule) -> *const c_char;
    fn kmod_module_get_path(module: *const RawModule) -> *const c_char;
    fn kmod_module_get_dependencies(module: *const RawModule) -> *mut RawList;
    fn kmod_module_get_softdeps(
        module: *const RawModule,
        pre: *mut *mut RawList,
        post: *mut *mut RawList,
    ) -> c_int;
    fn kmod_module_get_remove_commands(module: *const RawModule) -> *const c_char;
    fn kmod_module_get_initstate(module: *const RawModule) -> c_int;
    fn kmod_module_get_refcnt(module: *const RawModule) -> c_int;
    fn kmod_module_get_holders(module: *const RawModule) -> *mut RawList;
    fn kmod_module_probe_insert_module(
        module: *mut RawModule,
        flags: c_uint,
        extra_options: *const c_char,
        run_install: Option<
            unsafe extern "C" fn(*mut RawModule, *const c_char, *mut c_void) -> c_int,
        >,
        data: *const c_void,
        print_action: Option<unsafe extern "C" fn(*mut RawModule, bool, *const c_char)>,
    ) -> c_int;
}

/// Copies a C string that libkmod owns; `None` for NULL.
///
/// # Safety
///
/// `p` is NULL or points to a NUL-terminated string valid for this call.
unsafe fn owned(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is non-NULL and NUL-terminated (the caller's contract).
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("'{}' contains a NUL byte", s.escape_debug()))
}

/// A libkmod context (`struct kmod_ctx`).
///
/// # Invariants
///
/// `ctx` is a context returned by `kmod_new()` that this value holds one
/// reference to.
pub(crate) struct Context {
    ctx: NonNull<RawCtx>,
}

impl Context {
    /// Opens the modules directory `dirname` (default
    /// `/lib/modules/$(uname -r)`) with the configuration in `configs`
    /// (default: the modprobe.d directories).
    pub(crate) fn new(dirname: Option<&str>, configs: &[String]) -> Result<Self, String> {
        let dir = dirname.map(cstring).transpose()?;
        let cfgs = configs
            .iter()
            .map(|c| cstring(c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cfg_ptrs: Vec<*const c_char> = cfgs.iter().map(|c| c.as_ptr()).collect();
        cfg_ptrs.push(ptr::null());
        // SAFETY: both arguments are NULL or NUL-terminated strings (and a
        // NULL-terminated array of them) that outlive the call; libkmod
        // copies what it keeps.
        let raw = unsafe {
            kmod_new(
                dir.as_ref().map_or(ptr::null(), |d| d.as_ptr()),
                if configs.is_empty() {
                    ptr::null()
                } else {
                    cfg_ptrs.as_ptr()
                },
            )
        };
        let ctx =
            NonNull::new(raw).ok_or_else(|| "could not create a libkmod context".to_string())?;
        // INVARIANT: kmod_new() returned a context with one reference.
        Ok(Self { ctx })
    }

    /// Loads the indexes up front.  A failure (no modules directory) is not
    /// an error here: lookups then find nothing, as for modprobe.
    pub(crate) fn load_resources(&self) {
        // SAFETY: `self.ctx` is a live context (type invariant).
        unsafe { kmod_load_resources(self.ctx.as_ptr()) };
    }

    /// The modules directory.
    pub(crate) fn dirname(&self) -> String {
        // SAFETY: `self.ctx` is live; the string lives as long as the context.
        unsafe { owned(kmod_get_dirname(self.ctx.as_ptr())) }.unwrap_or_default()
    }

    /// The modules that `name` (a module name or an alias) stands for.
    pub(crate) fn lookup(&self, name: &str) -> Result<Vec<Module>, String> {
        let c = cstring(name)?;
        let mut list: *mut RawList = ptr::null_mut();
        // SAFETY: `self.ctx` is live, `c` is NUL-terminated, `list` is a
        // valid out pointer.
        let err = unsafe { kmod_module_new_from_lookup(self.ctx.as_ptr(), c.as_ptr(), &mut list) };
        if err < 0 {
            return Err(format!("lookup of '{}' failed: {}", name, errno_str(-err)));
        }
        // SAFETY: `list` came from libkmod and is ours to release.
        Ok(unsafe { take_list(list) })
    }

    /// The module called `name`, whether or not the modules directory has it.
    pub(crate) fn module(&self, name: &str) -> Result<Module, String> {
        let c = cstring(name)?;
        let mut m: *mut RawModule = ptr::null_mut();
        // SAFETY: as in `lookup`.
        let err = unsafe { kmod_module_new_from_name(self.ctx.as_ptr(), c.as_ptr(), &mut m) };
        match NonNull::new(m) {
            // INVARIANT: kmod_module_new_from_name() gave us one reference.
            Some(m) if err >= 0 => Ok(Module { m }),
            _ => Err(format!("'{}': {}", name, errno_str(-err))),
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: we hold one reference (type invariant) and give it back.
        unsafe { kmod_unref(self.ctx.as_ptr()) };
    }
}

/// Turns a libkmod module list into owned modules and frees the list.
///
/// # Safety
///
/// `list` is NULL or a list of modules returned by libkmod that the caller
/// owns.
unsafe fn take_list(list: *mut RawList) -> Vec<Module> {
    let mut out = Vec::new();
    let mut e = list;
    while !e.is_null() {
        // SAFETY: `e` is an entry of `list`; kmod_module_get_module() returns
        // a new reference to its module.
        if let Some(m) = NonNull::new(unsafe { kmod_module_get_module(e) }) {
            // INVARIANT: the reference is ours.
            out.push(Module { m });
        }
        // SAFETY: `e` is an entry of `list`.
        e = unsafe { kmod_list_next(list, e) };
    }
    if !list.is_null() {
        // SAFETY: `list` is ours; this drops the list's own references.
        unsafe { kmod_module_unref_list(list) };
    }
    out
}

/// Where a module stands in the running kernel (`/sys/module/NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Not loaded.
    Absent,
    /// Built into the kernel.
    Builtin,
    /// Loaded (live, coming or going).
    Loaded,
}

/// One step of a probe: a module to load, with its options.
pub(crate) struct Step {
    pub(crate) module: Module,
    /// `options` lines of modprobe.d, plus the command line's for the
    /// module asked for.
    pub(crate) options: String,
    /// The module has an `install` command.
    pub(crate) install: bool,
}

/// What a probe resolves to.
pub(crate) enum Probe {
    /// The module is blacklisted (and was named by an alias, or the
    /// blacklist applies to every name).
    Blacklisted,
    /// The modules to load, in order.
    Steps(Vec<Step>),
}

thread_local! {
    static STEPS: RefCell<Vec<Step>> = const { RefCell::new(Vec::new()) };
}

/// `print_action` callback of the dry run: records each step.
///
/// # Safety
///
/// Called by libkmod with a live module and a NUL-terminated option string.
unsafe extern "C" fn record_step(m: *mut RawModule, install: bool, options: *const c_char) {
    // SAFETY: `m` is a live module (the caller's contract); we take our own
    // reference.
    let Some(m) = NonNull::new(unsafe { kmod_module_ref(m) }) else {
        return;
    };
    // SAFETY: `options` is NUL-terminated (the caller's contract).
    let options = unsafe { owned(options) }.unwrap_or_default();
    // INVARIANT: kmod_module_ref() gave us a reference.
    let step = Step {
        module: Module { m },
        options,
        install,
    };
    STEPS.with(|s| s.borrow_mut().push(step));
}

/// A module known to libkmod (`struct kmod_module`).
///
/// # Invariants
///
/// `m` is a module that this value holds one reference to.
pub(crate) struct Module {
    m: NonNull<RawModule>,
}

impl Module {
    /// The module's name (underscores, as the kernel names it).
    pub(crate) fn name(&self) -> String {
        // SAFETY: `self.m` is live (type invariant).
        unsafe { owned(kmod_module_get_name(self.m.as_ptr())) }.unwrap_or_default()
    }

    /// The module's file, if the modules directory has one.
    pub(crate) fn path(&self) -> Option<String> {
        // SAFETY: `self.m` is live.
        unsafe { owned(kmod_module_get_path(self.m.as_ptr())) }
    }

    /// Whether modprobe.d has a `remove` command for it.
    pub(crate) fn has_remove_command(&self) -> bool {
        // SAFETY: `self.m` is live.
        !unsafe { kmod_module_get_remove_commands(self.m.as_ptr()) }.is_null()
    }

    /// The modules it depends on (modules.dep), nearest last.
    pub(crate) fn dependencies(&self) -> Vec<Module> {
        // SAFETY: `self.m` is live; the list is ours.
        unsafe { take_list(kmod_module_get_dependencies(self.m.as_ptr())) }
    }

    /// Its `post:` soft dependencies.
    pub(crate) fn post_softdeps(&self) -> Vec<Module> {
        let (mut pre, mut post) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: `self.m` is live; both out pointers are valid.
        if unsafe { kmod_module_get_softdeps(self.m.as_ptr(), &mut pre, &mut post) } < 0 {
            return Vec::new();
        }
        // SAFETY: both lists are ours.
        unsafe {
            take_list(pre);
            take_list(post)
        }
    }

    /// Its state in the running kernel.
    pub(crate) fn state(&self) -> State {
        // SAFETY: `self.m` is live.
        match unsafe { kmod_module_get_initstate(self.m.as_ptr()) } {
            MODULE_BUILTIN => State::Builtin,
            s if s < 0 => State::Absent,
            _ => State::Loaded,
        }
    }

    /// Its reference count (`/sys/module/NAME/refcnt`), or the errno.
    pub(crate) fn refcnt(&self) -> Result<u32, i32> {
        // SAFETY: `self.m` is live.
        let r = unsafe { kmod_module_get_refcnt(self.m.as_ptr()) };
        u32::try_from(r).map_err(|_| -r)
    }

    /// The names of the modules that use it (`/sys/module/NAME/holders`).
    pub(crate) fn holders(&self) -> Vec<String> {
        // SAFETY: `self.m` is live; the list is ours.
        unsafe { take_list(kmod_module_get_holders(self.m.as_ptr())) }
            .iter()
            .map(Module::name)
            .collect()
    }

    /// Resolves what `modprobe` would load for this module, in order,
    /// through libkmod's own probe logic run dry: dependencies, soft
    /// dependencies, options and the blacklist.  Modules that are loaded
    /// already are part of the list.
    pub(crate) fn probe(&self, extra_options: &str, blacklist_all: bool) -> Result<Probe, String> {
        let extra = cstring(extra_options)?;
        let mut flags = PROBE_DRY_RUN | PROBE_IGNORE_LOADED | PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
        if blacklist_all {
            flags |= PROBE_APPLY_BLACKLIST;
        }
        STEPS.with(|s| s.borrow_mut().clear());
        // SAFETY: `self.m` is live, `extra` is NUL-terminated; with
        // KMOD_PROBE_DRY_RUN libkmod only calls `record_step`, whose contract
        // it meets.
        let err = unsafe {
            kmod_module_probe_insert_module(
                self.m.as_ptr(),
                flags,
                extra.as_ptr(),
                None,
                ptr::null(),
                Some(record_step),
            )
        };
        let mut steps = STEPS.with(|s| std::mem::take(&mut *s.borrow_mut()));
        // A module can come twice (a dependency that is also a soft
        // dependency): its first place is where it loads.
        let mut seen = Vec::new();
        steps.retain(|s| {
            let n = s.module.name();
            let first = !seen.contains(&n);
            seen.push(n);
            first
        });
        // A positive return is the blacklist flag that refused the module.
        if err > 0 {
            return Ok(Probe::Blacklisted);
        }
        if err < 0 {
            return Err(errno_str(-err));
        }
        Ok(Probe::Steps(steps))
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        // SAFETY: we hold one reference (type invariant) and give it back.
        unsafe { kmod_module_unref(self.m.as_ptr()) };
    }
}

/// `strerror()` of a positive errno.
pub(crate) fn errno_str(errno: i32) -> String {
    // SAFETY: strerror() returns a NUL-terminated string for any errno; it
    // is copied before anything else can call strerror() on this thread.
    unsafe { owned(libc::strerror(errno)) }.unwrap_or_default()
}
