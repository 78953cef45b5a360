//! Checks every DAHDI ioctl number, constant, structure size and field offset the backend
//! uses (`tdm_driver::dahdi::abi::checked()`) against the C header Debian's `dahdi-source`
//! package installs: a small C program prints each expression, compiled with the system `cc`.
//!
//! The header comes from `apt-get install -y --no-install-recommends dahdi-source`
//! (`/usr/include/dahdi/user.h`). `TDM_DAHDI_INCLUDE` may name another include directory
//! (e.g. the `usr/include` of an unpacked `.deb`). Without the header the test prints a
//! notice and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use tdm_driver::dahdi::abi;

fn include_dir() -> PathBuf {
    std::env::var_os("TDM_DAHDI_INCLUDE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/include"))
}

/// The C program: one `printf` per checked expression, in the same order.
fn program(items: &[(&str, u64)]) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <dahdi/user.h>\n\nint main(void)\n{\n",
    );
    for (expression, _) in items {
        c.push_str(&format!("\tprintf(\"%llu\\n\", (unsigned long long)({expression}));\n"));
    }
    c.push_str("\treturn 0;\n}\n");
    c
}

#[test]
fn every_number_size_and_offset_matches_dahdi_user_h() {
    let include = include_dir();
    let header = include.join("dahdi/user.h");
    if !header.exists() {
        println!(
            "NOTICE dahdi_abi: {} not found, check skipped; install the header with \
             `apt-get install -y --no-install-recommends dahdi-source`",
            header.display()
        );
        return;
    }
    let items = abi::checked();
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("dahdi_abi.c");
    let binary = dir.path().join("dahdi_abi");
    std::fs::write(&source, program(&items)).expect("write the C program");
    let compiled = Command::new("cc")
        .arg("-std=gnu99")
        .arg("-Wall")
        .arg("-I")
        .arg(&include)
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .output();
    let compiled = match compiled {
        Ok(out) => out,
        Err(e) => {
            println!("NOTICE dahdi_abi: no C compiler (`cc`: {e}), check skipped");
            return;
        }
    };
    assert!(
        compiled.status.success(),
        "the C program did not compile against {}:\n{}",
        header.display(),
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = Command::new(Path::new(&binary)).output().expect("run the C program");
    assert!(run.status.success());
    let text = String::from_utf8(run.stdout).expect("ASCII output");
    let values: Vec<u64> = text.lines().map(|l| l.parse().expect("a number per line")).collect();
    assert_eq!(values.len(), items.len(), "one line per checked expression");
    let wrong: Vec<String> = items
        .iter()
        .zip(&values)
        .filter(|((_, rust), c)| rust != *c)
        .map(|((expression, rust), c)| format!("{expression}: Rust {rust:#x}, C header {c:#x}"))
        .collect();
    assert!(wrong.is_empty(), "differences from {}:\n{}", header.display(), wrong.join("\n"));
    println!("dahdi_abi: {} items agree with {}", items.len(), header.display());
}

#[test]
fn the_checked_list_covers_each_request_the_kernel_layer_issues() {
    use tdm_driver::dahdi::IntIoctl;
    let items = abi::checked();
    let requests = [
        (IntIoctl::GetEvent, "DAHDI_GETEVENT"),
        (IntIoctl::Flush, "DAHDI_FLUSH"),
        (IntIoctl::AudioMode, "DAHDI_AUDIOMODE"),
        (IntIoctl::ChannelNumber, "DAHDI_CHANNO"),
        (IntIoctl::HdlcFcsMode, "DAHDI_HDLCFCSMODE"),
        (IntIoctl::Specify, "DAHDI_SPECIFY"),
        (IntIoctl::GetRxBits, "DAHDI_GETRXBITS"),
        (IntIoctl::SetTxBits, "DAHDI_SETTXBITS"),
        (IntIoctl::Loopback, "DAHDI_LOOPBACK"),
        (IntIoctl::Startup, "DAHDI_STARTUP"),
        (IntIoctl::BufferEvents, "DAHDI_BUFFER_EVENTS"),
    ];
    for (request, name) in requests {
        assert_eq!(request.name(), name);
        let listed = items.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        assert_eq!(listed, Some(u64::from(request.request())), "{name}");
    }
    for name in [
        "DAHDI_SPANSTAT",
        "DAHDI_GET_PARAMS",
        "DAHDI_SET_BUFINFO",
        "DAHDI_MAINT",
        "DAHDI_SPANCONFIG",
        "DAHDI_CHANCONFIG",
        "DAHDI_GETVERSION",
    ] {
        assert!(items.iter().any(|(n, _)| *n == name), "{name} missing from the checked list");
    }
}
