// SPDX-License-Identifier: GPL-2.0

//! The load pipeline: the one sequence of stages that turns an image into a live module.
//!
//! [`load`] runs the stages of [`Stage`] in order, as the kernel's `load_module()` does:
//!
//! 1. Validate ([`Stage::Validate`]): [`Plan::parse`].
//! 2. Layout ([`Stage::Layout`]): lay the sections out
//!    ([`layout()`]), check where `struct module` lands, size the kallsyms tables
//!    ([`kallsyms::plan`]).
//! 3. Allocate ([`Stage::Allocate`]): one region of module memory per non-empty memory type
//!    ([`Env::alloc`]).
//! 4. Place ([`Stage::Place`]): copy each placed section to its region, note its address.
//! 5. Register ([`Stage::Register`]): put the module on the module list
//!    ([`Env::register`]): name, version magic, taints, per-CPU area. The environment owns
//!    the memory from here on.
//! 6. Bind ([`Stage::Bind`]): give every symbol its value, binding undefined ones to exports
//!    ([`Registered::resolve`], [`resolve_symbols`]).
//! 7. Relocate ([`Stage::Relocate`]): [`relocate`], then check the entry points and the
//!    tables C code reads ([`check_relocated`]).
//! 8. Kallsyms ([`Stage::Kallsyms`]): write the kallsyms tables ([`kallsyms::write`]) and
//!    hand them over ([`Registered::set_kallsyms`]).
//! 9. Form ([`Stage::Form`]): the kernel's post-relocation steps up to
//!    `MODULE_STATE_COMING` ([`Registered::form`]).
//! 10. Init ([`Stage::Init`]): the module's init, then `MODULE_STATE_LIVE`
//!     ([`Formed::init`]).
//!
//! [`prepare`] runs stages 1 to 9; [`Prepared::init`] then runs the init keeping the image's
//! tables for the caller (the host tests and the benchmark, through [`load`]), or
//! [`Prepared::detach`] lets the image go first and [`Ready::init`] runs the init without it
//! (the kernel module, which frees the image before init as `load_module()` frees its copy
//! of the file before `do_init_module()`). Each caller implements [`Env`], [`Registered`]
//! and [`Formed`] (the kernel's memory, registration and exports, or plain memory and a
//! symbol list). Each owner type undoes its step when dropped, so a failure at any stage
//! frees exactly what was taken.

use core::ops::DerefMut;

use super::elf::SectionIndex;
use super::error::Error;
use super::kallsyms::{self, Tables};
use super::layout::{check_unique_names, layout, span, Layout, LayoutOptions, Placement};
use super::mem::{MemType, PerMem};
use super::names::ModuleName;
use super::plan::{self, Plan};
use super::reloc::{relocate, RelocStats, Target};
use super::symbols::{resolve_symbols, Query, ResolveError, Resolver, SymbolStats, Unresolved};
use super::tables::{check_relocated, Relocated};

/// The stages of a load, in the order they run; each also names its time in [`PerStage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Validation of the image.
    Validate = 0,
    /// Layout of the sections and the kallsyms tables.
    Layout = 1,
    /// Allocation of module memory.
    Allocate = 2,
    /// Copy of the sections into module memory.
    Place = 3,
    /// Registration on the module list.
    Register = 4,
    /// Symbol binding.
    Bind = 5,
    /// Relocation.
    Relocate = 6,
    /// The kallsyms tables.
    Kallsyms = 7,
    /// Formation: post-relocation fixups, protections, `MODULE_STATE_COMING`, sysfs.
    Form = 8,
    /// The module's init, then `MODULE_STATE_LIVE`.
    Init = 9,
}

/// Number of stages.
pub const STAGES: usize = 10;

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; STAGES] = [
        Stage::Validate,
        Stage::Layout,
        Stage::Allocate,
        Stage::Place,
        Stage::Register,
        Stage::Bind,
        Stage::Relocate,
        Stage::Kallsyms,
        Stage::Form,
        Stage::Init,
    ];

    /// The stage's name, as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Validate => "validate",
            Stage::Layout => "layout",
            Stage::Allocate => "allocate",
            Stage::Place => "place",
            Stage::Register => "register",
            Stage::Bind => "bind",
            Stage::Relocate => "relocate",
            Stage::Kallsyms => "kallsyms",
            Stage::Form => "form",
            Stage::Init => "init",
        }
    }
}

/// One `T` per stage (e.g. nanoseconds), in [`Stage::ALL`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerStage<T>(pub [T; STAGES]);

impl<T: Copy> PerStage<T> {
    /// The value of `stage`.
    pub fn get(&self, stage: Stage) -> T {
        let mut copy = *self;
        *copy.slot(stage)
    }

    /// The stages with their values.
    pub fn iter(&self) -> impl Iterator<Item = (Stage, T)> + '_ {
        Stage::ALL.into_iter().zip(self.0.iter().copied())
    }

    /// The value of `stage`, to change.
    fn slot(&mut self, stage: Stage) -> &mut T {
        let [a, b, c, d, e, f, g, h, i, j] = &mut self.0;
        match stage {
            Stage::Validate => a,
            Stage::Layout => b,
            Stage::Allocate => c,
            Stage::Place => d,
            Stage::Register => e,
            Stage::Bind => f,
            Stage::Relocate => g,
            Stage::Kallsyms => h,
            Stage::Form => i,
            Stage::Init => j,
        }
    }
}

impl PerStage<u64> {
    /// The sum of all values.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |a, &b| a.saturating_add(b))
    }
}

/// The parameters of the running kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// For validation.
    pub plan: plan::Config,
    /// For the layout.
    pub layout: LayoutOptions,
    /// For the kallsyms tables.
    pub kallsyms: kallsyms::Options,
}

/// Why a load failed, besides the stage.
#[derive(Debug)]
pub enum Cause<'a, E> {
    /// The engine refused the image.
    Image(Error<'a>),
    /// Module memory of type `mem` and `size` bytes could not be allocated.
    Memory {
        /// The memory type.
        mem: MemType,
        /// The size asked for.
        size: u64,
        /// The environment's error.
        error: E,
    },
    /// The environment failed.
    Env(E),
}

/// A failed load: the stage that failed, why, and the module's name once it is known.
#[derive(Debug)]
pub struct Failure<'a, E> {
    /// The stage.
    pub stage: Stage,
    /// The module's name (empty before validation succeeded).
    pub name: ModuleName,
    /// Why.
    pub cause: Cause<'a, E>,
}

/// Module memory of one type, owned until registration; freed on drop.
pub trait Region {
    /// The region's bytes, zeroed at allocation.
    fn bytes_mut(&mut self) -> &mut [u8];
    /// The region's address.
    fn address(&self) -> u64;
}

/// What [`Env::register`] is given: the validated image and where everything is.
pub struct Module<'p, 'a> {
    /// The validated image.
    pub plan: &'p Plan<'a>,
    /// The placement of each section.
    pub placements: &'p [Option<Placement>],
    /// The final address of each section (0 for those not placed).
    pub addresses: &'p [u64],
    /// The offset of the module's `struct module` in its [`MemType::Data`] region.
    pub this_module: usize,
    /// The addresses of the full copies of the symbol and string tables (in the
    /// [`MemType::InitData`] region), which the kernel's loader gives the `SHT_SYMTAB` and
    /// its string table section as theirs.
    pub kallsyms: (u64, u64),
}

/// The environment of a load: tables, memory, registration, reports.
pub trait Env {
    /// The environment's errors (an errno in the kernel).
    type Error;
    /// A table the environment allocates.
    type Table<T: Copy>: DerefMut<Target = [T]>;
    /// A region of module memory.
    type Region: Region;
    /// A registered module.
    type Registered: Registered<Error = Self::Error>;

    /// A monotonic clock in nanoseconds, for the stage times.
    fn now(&self) -> u64;
    /// A table of `len` copies of `value`.
    fn table<T: Copy>(&mut self, len: usize, value: T) -> Result<Self::Table<T>, Self::Error>;
    /// A zeroed region of `size` bytes (not 0) of memory type `mem`.
    fn alloc(&mut self, mem: MemType, size: u64) -> Result<Self::Region, Self::Error>;
    /// Registers the module, taking its memory.
    fn register(
        &mut self,
        module: &Module<'_, '_>,
        regions: PerMem<Option<Self::Region>>,
    ) -> Result<Self::Registered, Self::Error>;
    /// Reports an undefined symbol that could not be bound.
    fn unknown_symbol(&mut self, module: &ModuleName, symbol: &Unresolved<'_>);
}

/// A module on the module list, not yet formed; its memory is still writable.
pub trait Registered {
    /// The environment's errors.
    type Error;
    /// The formed module.
    type Formed: Formed<Error = Self::Error>;

    /// The address of the module's per-CPU area (0 when it has none).
    fn percpu_base(&self) -> u64;
    /// The module's regions (empty slices for empty memory types).
    fn memory(&mut self) -> PerMem<&mut [u8]>;
    /// Binds an undefined symbol to an export, recording the dependency.
    fn resolve(&mut self, query: &Query<'_>) -> Result<u64, ResolveError>;
    /// Points the module at its kallsyms tables, which [`kallsyms::write`] filled.
    fn set_kallsyms(&mut self, tables: &Tables) -> Result<(), Self::Error>;
    /// Forms the module (`MODULE_STATE_COMING`).
    fn form(self) -> Result<Self::Formed, Self::Error>;
}

/// What a load did, for the environment's records before init runs.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// The module's name.
    pub name: ModuleName,
    /// The size of each memory type.
    pub sizes: PerMem<u64>,
    /// The address of each memory type's region (0 for empty ones).
    pub bases: PerMem<u64>,
    /// Relocations applied.
    pub relocations: usize,
    /// Undefined symbols bound to exports.
    pub bound: usize,
    /// Nanoseconds spent so far.
    pub elapsed: u64,
}

/// A formed module, ready for its init.
pub trait Formed {
    /// The environment's errors.
    type Error;
    /// The live module.
    type Live;

    /// Runs the module's init and makes it live, or unwinds it if init fails.
    fn init(self, summary: &Summary) -> Result<Self::Live, Self::Error>;
}

/// The live module of an environment.
pub type Live<E> = <<<E as Env>::Registered as Registered>::Formed as Formed>::Live;

/// A successful load.
pub struct Loaded<'a, E: Env> {
    /// The validated image.
    pub plan: Plan<'a>,
    /// The layout.
    pub layout: Layout,
    /// The placement of each section.
    pub placements: E::Table<Option<Placement>>,
    /// The final address of each section.
    pub addresses: E::Table<u64>,
    /// The final value of each symbol.
    pub values: E::Table<u64>,
    /// Symbol pass counts.
    pub symbols: SymbolStats,
    /// Relocation pass counts.
    pub relocations: RelocStats,
    /// Nanoseconds spent in each stage.
    pub times: PerStage<u64>,
    /// The live module.
    pub module: Live<E>,
}

/// Measures the stages.
struct Clock {
    last: u64,
    times: PerStage<u64>,
}

impl Clock {
    /// Charges the time from the previous lap to `now` to `stage`.
    fn lap(&mut self, now: u64, stage: Stage) {
        *self.times.slot(stage) = now.saturating_sub(self.last);
        self.last = now;
    }
}

/// A load in progress: what every stage after validation needs.
struct Job<'a, E: Env> {
    plan: Plan<'a>,
    layout: Layout,
    tables: Tables,
    placements: E::Table<Option<Placement>>,
    addresses: E::Table<u64>,
    bases: PerMem<u64>,
    this_module: usize,
}

type Staged<'a, T, E> = Result<T, (Stage, Cause<'a, <E as Env>::Error>)>;

/// The formed module of an environment.
pub type FormedOf<E> = <<E as Env>::Registered as Registered>::Formed;

/// A module formed from its image, before its init: every stage that reads the image has run.
pub struct Prepared<'a, E: Env> {
    job: Job<'a, E>,
    values: E::Table<u64>,
    symbols: SymbolStats,
    relocations: RelocStats,
    summary: Summary,
    clock: Clock,
    formed: FormedOf<E>,
}

/// What [`Ready::init`] returns: the live module and the time of each stage.
pub type Started<F> = (<F as Formed>::Live, PerStage<u64>);

/// A formed module whose image was let go, ready for its init: as `load_module()` frees its
/// copy of the file before `do_init_module()`, so that init runs without it.
pub struct Ready<F: Formed> {
    summary: Summary,
    clock: Clock,
    formed: F,
}

/// Loads `image` in `env`: runs every stage of [`Stage`] in order ([`prepare`], then
/// [`Prepared::init`]).
pub fn load<'a, E: Env>(
    env: &mut E,
    image: &'a [u8],
    cfg: &Config,
) -> Result<Loaded<'a, E>, Failure<'a, E::Error>> {
    prepare(env, image, cfg)?.init(env)
}

/// Runs every stage of [`Stage`] but [`Stage::Init`] on `image` in `env`.
pub fn prepare<'a, E: Env>(
    env: &mut E,
    image: &'a [u8],
    cfg: &Config,
) -> Result<Prepared<'a, E>, Failure<'a, E::Error>> {
    let mut clock = Clock {
        last: env.now(),
        times: PerStage::default(),
    };
    let plan = Plan::parse(image, &cfg.plan).map_err(|e| Failure {
        stage: Stage::Validate,
        name: ModuleName::default(),
        cause: Cause::Image(e),
    })?;
    clock.lap(env.now(), Stage::Validate);
    let name = plan.name;
    run(env, plan, cfg, clock).map_err(|(stage, cause)| Failure { stage, name, cause })
}

impl<'a, E: Env> Prepared<'a, E> {
    /// [`Stage::Init`], keeping the tables of the image for the caller.
    pub fn init(self, env: &E) -> Result<Loaded<'a, E>, Failure<'a, E::Error>> {
        let Prepared {
            job,
            values,
            symbols,
            relocations,
            summary,
            mut clock,
            formed,
        } = self;
        let module = start(formed, &summary, &mut clock, || env.now())?;
        Ok(Loaded {
            plan: job.plan,
            layout: job.layout,
            placements: job.placements,
            addresses: job.addresses,
            values,
            symbols,
            relocations,
            times: clock.times,
            module,
        })
    }

    /// Lets the image and the tables go: what init needs does not borrow them.
    pub fn detach(self) -> Ready<FormedOf<E>> {
        Ready {
            summary: self.summary,
            clock: self.clock,
            formed: self.formed,
        }
    }
}

impl<F: Formed> Ready<F> {
    /// [`Stage::Init`], timed with `now` (the clock of [`Env::now`]); returns the live
    /// module and the time of each stage.
    pub fn init(mut self, now: impl Fn() -> u64) -> Result<Started<F>, Failure<'static, F::Error>> {
        let module = start(self.formed, &self.summary, &mut self.clock, now)?;
        Ok((module, self.clock.times))
    }
}

/// [`Stage::Init`]: the module's init, then `MODULE_STATE_LIVE`.
fn start<'a, F: Formed>(
    formed: F,
    summary: &Summary,
    clock: &mut Clock,
    now: impl Fn() -> u64,
) -> Result<F::Live, Failure<'a, F::Error>> {
    let module = formed.init(summary).map_err(|e| Failure {
        stage: Stage::Init,
        name: summary.name,
        cause: Cause::Env(e),
    })?;
    clock.lap(now(), Stage::Init);
    Ok(module)
}

/// The stages after validation, up to formation.
fn run<'a, E: Env>(
    env: &mut E,
    plan: Plan<'a>,
    cfg: &Config,
    mut clock: Clock,
) -> Staged<'a, Prepared<'a, E>, E> {
    let mut job = lay_out(env, plan, cfg)?;
    clock.lap(env.now(), Stage::Layout);
    let mut regions = allocate(env, &job.layout)?;
    clock.lap(env.now(), Stage::Allocate);
    place(&mut job, &mut regions, &cfg.plan).map_err(|e| (Stage::Place, Cause::Image(e)))?;
    clock.lap(env.now(), Stage::Place);
    let init_data = job.bases[MemType::InitData];
    let module = Module {
        plan: &job.plan,
        placements: &job.placements,
        addresses: &job.addresses,
        this_module: job.this_module,
        kallsyms: (
            init_data.wrapping_add(job.tables.full_symtab),
            init_data.wrapping_add(job.tables.full_strtab),
        ),
    };
    let mut registered = env
        .register(&module, regions)
        .map_err(|e| (Stage::Register, Cause::Env(e)))?;
    clock.lap(env.now(), Stage::Register);
    let (values, symbols) = bind(env, &mut job, &mut registered)?;
    clock.lap(env.now(), Stage::Bind);
    let relocations = relocate_into(&job, &mut registered, &values, &cfg.plan)
        .map_err(|e| (Stage::Relocate, Cause::Image(e)))?;
    clock.lap(env.now(), Stage::Relocate);
    install_kallsyms(&job, &mut registered, &values, &cfg.kallsyms)?;
    clock.lap(env.now(), Stage::Kallsyms);
    let formed = registered
        .form()
        .map_err(|e| (Stage::Form, Cause::Env(e)))?;
    clock.lap(env.now(), Stage::Form);
    let summary = Summary {
        name: job.plan.name,
        sizes: job.layout.size,
        bases: job.bases,
        relocations: relocations.applied(),
        bound: symbols.resolved,
        elapsed: clock.times.total(),
    };
    Ok(Prepared {
        job,
        values,
        symbols,
        relocations,
        summary,
        clock,
        formed,
    })
}

/// [`Stage::Layout`]: lays out the sections, checks that
/// `struct module` is aligned core data and sizes the kallsyms tables.
fn lay_out<'a, E: Env>(env: &mut E, plan: Plan<'a>, cfg: &Config) -> Staged<'a, Job<'a, E>, E> {
    let image = |e| (Stage::Layout, Cause::Image(e));
    let n = plan.section_count();
    let mut placements = env
        .table(n, None)
        .map_err(|e| (Stage::Layout, Cause::Env(e)))?;
    let mut lay = layout(&plan, &cfg.layout, &mut placements).map_err(image)?;
    let section = plan.this_module_index;
    let this_module = placements
        .get(section.0)
        .copied()
        .flatten()
        .filter(|p| p.mem == MemType::Data && p.offset % cfg.plan.module_struct_align.max(1) == 0)
        .and_then(|p| usize::try_from(p.offset).ok())
        .ok_or(image(Error::ThisModulePlacement { section }))?;
    let tables = kallsyms::plan(&plan, &placements, &cfg.kallsyms, &mut lay).map_err(image)?;
    let mut addresses = env
        .table(n, 0u64)
        .map_err(|e| (Stage::Layout, Cause::Env(e)))?;
    // The address table is free until placement: sort the names in it.
    check_unique_names(&plan, &placements, &mut addresses).map_err(image)?;
    addresses.fill(0);
    Ok(Job {
        plan,
        layout: lay,
        tables,
        placements,
        addresses,
        bases: PerMem::default(),
        this_module,
    })
}

/// [`Stage::Allocate`]: one region per non-empty memory type; on failure the regions
/// already allocated are freed (dropped).
fn allocate<'a, E: Env>(env: &mut E, lay: &Layout) -> Staged<'a, PerMem<Option<E::Region>>, E> {
    let mut regions = PerMem::from_fn(|_| None);
    for mem in MemType::ALL {
        let size = lay.size(mem);
        if size == 0 {
            continue;
        }
        let region = env
            .alloc(mem, size)
            .map_err(|error| (Stage::Allocate, Cause::Memory { mem, size, error }))?;
        regions[mem] = Some(region);
    }
    Ok(regions)
}

/// [`Stage::Place`]: copies every placed section with file bytes into its region, clears
/// the fields of `struct module` the image must not set, and records each placed section's
/// address.
fn place<'a, E: Env>(
    job: &mut Job<'a, E>,
    regions: &mut PerMem<Option<E::Region>>,
    cfg: &plan::Config,
) -> Result<(), Error<'a>> {
    for (mem, base) in job.bases.iter_mut() {
        *base = regions[mem].as_ref().map_or(0, |r| r.address());
    }
    for (i, (placement, address)) in job
        .placements
        .iter()
        .zip(job.addresses.iter_mut())
        .enumerate()
    {
        let Some(p) = placement else { continue };
        let section = SectionIndex(i);
        let missing = Error::NoTargetMemory { section };
        let body = job.plan.section_data(section);
        let Some(region) = regions[p.mem].as_mut() else {
            // An empty section in an empty memory type (a module whose code is all init
            // code has an empty `.text`): like the kernel, give it the address 0.
            match job.plan.section_header(section) {
                Some(h) if h.sh_size == 0 => continue,
                _ => return Err(missing),
            }
        };
        *address = region.address().checked_add(p.offset).ok_or(missing)?;
        let start = usize::try_from(p.offset).map_err(|_| missing)?;
        let end = start.checked_add(body.len()).ok_or(missing)?;
        let bytes = region.bytes_mut().get_mut(start..end).ok_or(missing)?;
        bytes.copy_from_slice(body);
        if section == job.plan.this_module_index {
            keep_only_image_fields(bytes, cfg);
        }
    }
    Ok(())
}

/// Clears every field of the module's `struct module` that the image must not set: all but
/// the name and the `init` and `exit` pointers (which only relocations fill), as a template
/// from `modpost` has them. The kernel then sets the rest itself.
fn keep_only_image_fields(module: &mut [u8], cfg: &plan::Config) {
    const NAME: usize = super::names::MODULE_NAME_LEN;
    let mut name = [0u8; NAME];
    let mut init = [0u8; 8];
    let mut exit = [0u8; 8];
    let save = |to: &mut [u8], module: &[u8], off: usize| {
        if let Some(from) = module.get(off..off.saturating_add(to.len())) {
            to.copy_from_slice(from);
        }
    };
    save(&mut name, module, cfg.module_name_offset);
    save(&mut init, module, cfg.module_init_offset);
    save(&mut exit, module, cfg.module_exit_offset);
    module.fill(0);
    let restore = |from: &[u8], module: &mut [u8], off: usize| {
        if let Some(to) = module.get_mut(off..off.saturating_add(from.len())) {
            to.copy_from_slice(from);
        }
    };
    restore(&name, module, cfg.module_name_offset);
    restore(&init, module, cfg.module_init_offset);
    restore(&exit, module, cfg.module_exit_offset);
}

/// Binds through a registered module's exports lookup.
struct Exports<'r, R>(&'r mut R);

impl<R: Registered> Resolver for Exports<'_, R> {
    fn resolve(&mut self, query: &Query<'_>) -> Result<u64, ResolveError> {
        self.0.resolve(query)
    }
}

/// [`Stage::Bind`]: points the per-CPU section at the area the registration allocated, then
/// computes every symbol's value; each undefined symbol that cannot be bound is reported.
fn bind<'a, E: Env>(
    env: &mut E,
    job: &mut Job<'a, E>,
    registered: &mut E::Registered,
) -> Staged<'a, (E::Table<u64>, SymbolStats), E> {
    if let Some(a) = job
        .plan
        .special
        .percpu
        .and_then(|i| job.addresses.get_mut(i.0))
    {
        *a = registered.percpu_base();
    }
    let mut values = env
        .table(job.plan.symbol_count(), 0u64)
        .map_err(|e| (Stage::Bind, Cause::Env(e)))?;
    let name = job.plan.name;
    let stats = resolve_symbols(
        &job.plan,
        &job.addresses,
        &mut Exports(registered),
        &mut values,
        &mut |u| env.unknown_symbol(&name, u),
    )
    .map_err(|e| (Stage::Bind, Cause::Image(e)))?;
    Ok((values, stats))
}

/// The placed sections in the regions of a registered module.
struct Sections<'r> {
    memory: PerMem<&'r mut [u8]>,
    placements: &'r [Option<Placement>],
    addresses: &'r [u64],
    plan: &'r Plan<'r>,
}

impl Target for Sections<'_> {
    fn section(&mut self, index: SectionIndex) -> Option<(&mut [u8], u64)> {
        let (mem, range) = span(self.plan, self.placements, index)?;
        let address = *self.addresses.get(index.0)?;
        Some((self.memory[mem].get_mut(range)?, address))
    }
}

/// [`Stage::Relocate`]: applies the relocations to the registered module's memory, then
/// checks what C code will follow in it ([`tables::check_relocated`]).
fn relocate_into<'a, E: Env>(
    job: &Job<'a, E>,
    registered: &mut E::Registered,
    values: &[u64],
    cfg: &plan::Config,
) -> Result<RelocStats, Error<'a>> {
    let mut target = Sections {
        memory: registered.memory(),
        placements: &job.placements,
        addresses: &job.addresses,
        plan: &job.plan,
    };
    let stats = relocate(&job.plan, values, &mut target)?;
    let relocated = Relocated {
        memory: &target.memory,
        bases: &job.bases,
        placements: &job.placements,
    };
    check_relocated(&job.plan, cfg, &job.addresses, job.this_module, &relocated)?;
    Ok(stats)
}

/// Hands out disjoint pieces of a region at increasing offsets.
struct Carver<'m> {
    rest: &'m mut [u8],
    pos: u64,
}

impl<'m> Carver<'m> {
    /// The `len` bytes at offset `off` of the region; `off` must not be below the end of the
    /// previous piece.
    fn take(&mut self, off: u64, len: u64) -> Option<&'m mut [u8]> {
        let skip = usize::try_from(off.checked_sub(self.pos)?).ok()?;
        let len_us = usize::try_from(len).ok()?;
        let rest = core::mem::take(&mut self.rest);
        if skip.checked_add(len_us)? > rest.len() {
            return None;
        }
        let (_, tail) = rest.split_at_mut(skip);
        let (out, tail) = tail.split_at_mut(len_us);
        self.rest = tail;
        self.pos = off.checked_add(len)?;
        Some(out)
    }
}

/// [`Stage::Kallsyms`]: writes both kallsyms tables where [`kallsyms::plan`] put them, in
/// the init data and core data regions, and hands them to the module.
fn install_kallsyms<'a, E: Env>(
    job: &Job<'a, E>,
    registered: &mut E::Registered,
    values: &[u64],
    opts: &kallsyms::Options,
) -> Staged<'a, (), E> {
    let t = &job.tables;
    let bad = (
        Stage::Kallsyms,
        Cause::Image(Error::TableSize {
            needed: t.full_count,
            given: 0,
        }),
    );
    let PerMem([_, data, _, _, _, init_data, _]) = registered.memory();
    let mut init = Carver {
        rest: init_data,
        pos: 0,
    };
    let mut core = Carver { rest: data, pos: 0 };
    let mut out = carve(&mut init, &mut core, t, opts).ok_or(bad)?;
    kallsyms::write(&job.plan, &job.placements, opts, values, &mut out)
        .map_err(|e| (Stage::Kallsyms, Cause::Image(e)))?;
    registered
        .set_kallsyms(t)
        .map_err(|e| (Stage::Kallsyms, Cause::Env(e)))
}

/// The pieces of the init data (`init`) and core data (`core`) regions that hold the tables
/// `t`.
fn carve<'m>(
    init: &mut Carver<'m>,
    core: &mut Carver<'m>,
    t: &Tables,
    opts: &kallsyms::Options,
) -> Option<kallsyms::Out<'m>> {
    let sym_bytes = |n: usize| (n as u64).checked_mul(super::elf::SYM_SIZE as u64);
    let full_symtab = init.take(t.full_symtab, sym_bytes(t.full_count)?)?;
    let full_strtab = init.take(t.full_strtab, t.full_strtab_size)?;
    init.take(t.full_struct, opts.struct_size)?;
    let full_typetab = init.take(t.full_typetab, t.full_count as u64)?;
    Some(kallsyms::Out {
        full_symtab,
        full_strtab,
        full_typetab,
        core_symtab: core.take(t.core_symtab, sym_bytes(t.core_count)?)?,
        core_strtab: core.take(t.core_strtab, t.core_strtab_size)?,
        core_typetab: core.take(t.core_typetab, t.core_count as u64)?,
    })
}
