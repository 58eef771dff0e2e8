// SPDX-License-Identifier: GPL-2.0

//! The kernel's reason for a refusal, taken from the kernel log.
//!
//! rloader logs every refusal as `rloader: <module>: <reason>` (or
//! `rloader: invalid module image: <reason>`), and the kernel logs unknown
//! symbols and parameters as `<module>: ...`.  A [`Mark`] remembers the end
//! of `/dev/kmsg` before a request; [`Mark::reasons`] returns the lines
//! about the module logged since.  See `Documentation/ABI/testing/dev-kmsg`.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;

/// At most this many kernel lines are quoted for one failure.
const MAX_LINES: usize = 12;

/// A position in the kernel log.  Reading needs `CAP_SYSLOG` (or
/// `dmesg_restrict` = 0); without it the failure is reported without the
/// kernel's lines.
pub(crate) struct Mark {
    kmsg: Option<File>,
}

impl Mark {
    /// Marks the current end of the log.
    pub(crate) fn now() -> Self {
        let kmsg = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")
            .ok()
            .and_then(|mut f| f.seek(SeekFrom::End(0)).ok().map(|_| f));
        Self { kmsg }
    }

    /// The messages logged since the mark that concern module `name`.
    pub(crate) fn reasons(&mut self, name: &str) -> Vec<String> {
        let Some(f) = self.kmsg.as_mut() else {
            return Vec::new();
        };
        let own = format!("{name}: ");
        let via = format!("rloader: {name}: ");
        let mut out = Vec::new();
        let mut buf = vec![0u8; 8192];
        loop {
            // Each read returns one record: "prio,seq,usec,flags;text\n".
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                // EPIPE: records were overwritten; go on with the next one.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(_) => break,
            };
            let rec = String::from_utf8_lossy(&buf[..n]);
            let Some((_, text)) = rec.split_once(';') else {
                continue;
            };
            let text = text.lines().next().unwrap_or_default();
            let about = text.starts_with(&via)
                || text.starts_with("rloader: invalid module image")
                || text.starts_with("rloader: incomplete module image")
                || text.starts_with(&own);
            if about && out.len() < MAX_LINES {
                out.push(text.to_string());
            }
        }
        out
    }
}
