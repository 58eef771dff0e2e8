// SPDX-License-Identifier: GPL-2.0

//! Property tests of layout invariants over generated section tables.

use proptest::prelude::*;
use rloader_tools::builder::{self, Sec};
use rloader_tools::engine::elf::*;
use rloader_tools::engine::layout::{self, LayoutOptions};
use rloader_tools::engine::mem::{MemType, MEM_TYPES};
use rloader_tools::engine::plan::Plan;
use rloader_tools::host;

const NAMES: &[&str] = &[
    ".text.a",
    ".init.text.b",
    ".exit.text",
    ".rodata.c",
    ".data.d",
    ".data..ro_after_init",
    "__jump_table",
    ".init.data",
    ".init.rodata",
    ".bss.e",
    ".debug_x",
    ".exit.data",
    ".data..percpu",
    "__versions",
    ".note.x",
];

fn arb_section() -> impl Strategy<Value = Sec> {
    (
        0..NAMES.len(),
        prop_oneof![
            Just(SHF_ALLOC),
            Just(SHF_ALLOC | SHF_WRITE),
            Just(SHF_ALLOC | SHF_EXECINSTR),
            Just(0u64),
            Just(SHF_WRITE)
        ],
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(2),
            Just(4),
            Just(8),
            Just(16),
            Just(64),
            Just(4096)
        ],
        0usize..3000,
        any::<bool>(),
    )
        .prop_map(|(n, flags, align, size, nobits)| {
            // What validation refuses: executable zeros, a table without contents or
            // with a partial entry.
            let table = NAMES[n] == "__jump_table";
            let nobits = nobits && flags & SHF_EXECINSTR == 0 && !table;
            let size = if table { size / 16 * 16 } else { size };
            (n, flags, align, size, nobits)
        })
        .prop_map(|(n, flags, align, size, nobits)| Sec {
            name: NAMES[n].into(),
            sh_type: if nobits { SHT_NOBITS } else { SHT_PROGBITS },
            flags,
            data: vec![0; if nobits { 0 } else { size }],
            nobits_size: size as u64,
            align,
            ..Default::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn layout_invariants(
        extra in proptest::collection::vec(arb_section(), 0..24),
        unload in any::<bool>(),
    ) {
        let mut secs = builder::sample_sections();
        secs.extend(extra);
        let image = builder::build(&secs);
        let plan = Plan::parse(&image, &builder::CONFIG).unwrap();
        let opts = LayoutOptions { unload, page_size: 4096 };
        let mut p = vec![None; plan.section_count()];
        let lay = layout::layout(&plan, &opts, &mut p).unwrap();
        let mut spans: Vec<Vec<(u64, u64)>> = vec![Vec::new(); MEM_TYPES];
        for s in plan.sections() {
            let i = s.index.0;
            // Placed exactly when the kernel would allocate it.
            prop_assert_eq!(p[i].is_some(), plan.is_allocated(s.index), "section {}", i);
            let Some(pl) = p[i] else { continue };
            let align = s.header.sh_addralign.max(1);
            prop_assert_eq!(pl.offset % align, 0);
            let end = pl.offset + s.header.sh_size;
            prop_assert!(end <= lay.size(pl.mem));
            // Memory type agrees with flags and name.
            let init = layout::is_init_section(s.name, unload);
            prop_assert_eq!(pl.mem.is_init(), init);
            let f = s.header.sh_flags;
            if f & SHF_EXECINSTR != 0 {
                prop_assert!(matches!(pl.mem, MemType::Text | MemType::InitText));
            } else if f & SHF_WRITE != 0
                && (Some(s.index) == plan.special.ro_after_init
                    || Some(s.index) == plan.special.jump_table)
            {
                prop_assert!(matches!(pl.mem, MemType::RoAfterInit | MemType::InitData));
            } else if f & SHF_WRITE != 0 {
                prop_assert!(matches!(pl.mem, MemType::Data | MemType::InitData));
            } else {
                prop_assert!(matches!(pl.mem, MemType::Rodata | MemType::InitRodata));
            }
            if s.header.sh_size > 0 {
                spans[pl.mem as usize].push((pl.offset, end));
            }
        }
        // No overlap within a region.
        for v in &mut spans {
            v.sort();
            for w in v.windows(2) {
                prop_assert!(w[0].1 <= w[1].0, "overlap {:?}", w);
            }
        }
        // Regions page-aligned and disjoint once based.
        let bases = host::fake_bases(&lay);
        let mut regions: Vec<(u64, u64)> = MemType::ALL
            .iter()
            .filter(|&&t| lay.size(t) > 0)
            .map(|&t| (bases[t], bases[t] + lay.page_size_of(t).unwrap()))
            .collect();
        for &(b, e) in &regions {
            prop_assert_eq!(b % 4096, 0);
            prop_assert_eq!(e % 4096, 0);
        }
        regions.sort();
        for w in regions.windows(2) {
            prop_assert!(w[0].1 <= w[1].0);
        }
        // Every section's final address keeps its alignment (align <= page).
        for s in plan.sections() {
            if let Some(pl) = p[s.index.0] {
                prop_assert_eq!((bases[pl.mem] + pl.offset) % s.header.sh_addralign.max(1), 0);
            }
        }
    }

    #[test]
    fn c_str_at_finds_the_first_nul(
        table in proptest::collection::vec(
            prop_oneof![3 => 1u8..=255, 1 => Just(0u8), 1 => Just(1u8), 1 => Just(0x80u8)],
            0..80,
        ),
        off in 0usize..90,
    ) {
        let naive = table.get(off..).and_then(|t| t.iter().position(|&c| c == 0).map(|n| &t[..n]));
        prop_assert_eq!(c_str_at(&table, off), naive);
    }

    #[test]
    fn engine_never_panics_on_mutations(pos in 0usize..4096, byte in any::<u8>(), n in 0usize..8) {
        let mut image = builder::sample_module();
        for k in 0..=n {
            let at = (pos + k * 977) % image.len();
            image[at] ^= byte.rotate_left(k as u32);
        }
        let cfg = builder::CONFIG;
        let mut r = host::MapResolver::fake();
        let _ = host::load(&image, &cfg, &LayoutOptions::default(), &mut r, &mut |_, _| {});
    }
}
