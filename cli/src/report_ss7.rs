//! SS7 in `tdm status`: each signalling link on the span that carries it (MTP2 state, error
//! counters, its link set's state) and each circuit of a span whose circuits run ISUP or TUP.

use serde_json::{Value, json};
use tdm_callctl::Ss7PointInfo;
use tdm_callctl::engine::SpanInfo;
use tdm_callctl::ss7::circuit_state_text;
use tdm_ss7::describe::describe_su;

/// The signalling links that run on span `name` (`board:span`), of every point.
pub fn links_json(points: &[Ss7PointInfo], name: &str) -> Vec<Value> {
    let mut links = Vec::new();
    for point in points {
        let format = point.snapshot.format;
        for set in &point.snapshot.link_sets {
            for link in &set.links {
                let Some((_, at)) = point.link_names.iter().find(|(id, _)| *id == link.id) else { continue };
                if at.rsplit_once(':').is_none_or(|(span, _)| span != name) {
                    continue;
                }
                let c = &link.counters;
                links.push(json!({
                    "point": point.name,
                    "own_pc": point.snapshot.own_pc.display(format).to_string(),
                    "linkset": set.name,
                    "adjacent": set.adjacent.display(format).to_string(),
                    "linkset_state": if set.available { "available" } else { "unavailable" },
                    "link": at,
                    "timeslot": link.timeslot,
                    "slc": link.slc,
                    "mtp2": link.mtp2_state.name(),
                    "state": link.state.name(),
                    "congested": link.congested,
                    "counters": {
                        "sus_sent": c.sus_sent,
                        "sus_received": c.sus_received,
                        "msus_sent": c.msus_sent,
                        "msus_received": c.msus_received,
                        "su_errors": c.su_errors,
                        "retransmissions": c.retransmissions,
                        "nacks_sent": c.nacks_sent,
                        "nacks_received": c.nacks_received,
                        "alignments": c.alignments,
                        "proving_aborts": c.proving_aborts,
                        "failures": c.failures,
                        "test_failures": link.test_failures,
                        "error_count": link.error_count,
                    },
                }));
            }
        }
    }
    links
}

/// The signaling of a span whose circuits run ISUP or TUP.
pub fn circuits_signaling_json(span: &SpanInfo) -> Value {
    let circuits: Vec<Value> = span
        .circuits
        .iter()
        .map(|c| json!({"cic": c.cic, "timeslot": c.timeslot, "state": circuit_state_text(c)}))
        .collect();
    json!({
        "stack": span.description,
        "link": if span.link_up { "up" } else { "down" },
        "calls": span.calls,
        "circuits": circuits,
    })
}

/// Lines of the status table for a span's links and circuits.
pub fn status_lines(span: &Value, indent: usize) -> String {
    let mut out = String::new();
    for link in span["ss7"].as_array().into_iter().flatten() {
        let c = &link["counters"];
        let n = |field: &str| c[field].as_u64().unwrap_or(0);
        out.push_str(&format!(
            "{:indent$}link {} SLC {} to {} (link set {} {}): MTP2 {}, {}; SU errors {}, retransmissions {}, \
             alignments {}, failures {}\n",
            "",
            link["link"].as_str().unwrap_or("?"),
            link["slc"],
            link["adjacent"].as_str().unwrap_or("?"),
            link["linkset"].as_str().unwrap_or("?"),
            link["linkset_state"].as_str().unwrap_or("?"),
            link["mtp2"].as_str().unwrap_or("?"),
            link["state"].as_str().unwrap_or("?"),
            n("su_errors"),
            n("retransmissions"),
            n("alignments"),
            n("failures"),
        ));
    }
    if let Some(circuits) = span["signaling"]["circuits"].as_array() {
        // Runs of consecutive CICs in the same state, one line each.
        let mut run: Option<(u64, u64, String)> = None;
        let flush = |run: &mut Option<(u64, u64, String)>, out: &mut String| {
            if let Some((first, last, state)) = run.take() {
                let cics = if first == last { format!("CIC {first}") } else { format!("CIC {first}-{last}") };
                out.push_str(&format!("{:indent$}{cics}: {state}\n", ""));
            }
        };
        for c in circuits {
            let cic = c["cic"].as_u64().unwrap_or(0);
            let state = c["state"].as_str().unwrap_or("?").to_string();
            match &mut run {
                Some((_, last, s)) if *s == state && *last + 1 == cic => *last = cic,
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((cic, cic, state));
                }
            }
        }
        flush(&mut run, &mut out);
    }
    out
}

/// `tdm trace` of a span that carries signalling links: signal units into a pcap file
/// (LINKTYPE_MTP2 with its pseudo-header, link type 139) or printed one a line, decoded down
/// to the user part with the routing labels in the format `head` names (`point_codes`),
/// until `count` signal units, the `deadline` or `stop`.
pub fn trace_mtp2(
    client: &mut crate::control::Client,
    head: &Value,
    span: &str,
    pcap: Option<&std::path::Path>,
    count: Option<u64>,
    deadline: Option<std::time::Instant>,
    stop: &std::sync::atomic::AtomicBool,
) -> crate::Result<()> {
    use std::io::Write;
    use tdm_ss7::mtp2::pcap::{Direction, LINKTYPE_MTP2_WITH_PHDR, append_record, file_header};
    let format = match head["point_codes"].as_str() {
        Some("china") => tdm_ss7::PointCodeFormat::China24,
        _ => tdm_ss7::PointCodeFormat::Itu14,
    };
    let mut image = pcap.map(|_| file_header(LINKTYPE_MTP2_WITH_PHDR).to_vec());
    match pcap {
        None => {
            // A reader that left already (`| head`) is not an error.
            let _ = writeln!(
                std::io::stdout(),
                "trace of {span} (signal units: LSSUs and MSUs); stop with Ctrl-C"
            );
        }
        Some(path) => eprintln!("tracing {span} (MTP2) into {}; stop with Ctrl-C", path.display()),
    }
    let mut records = 0u64;
    while count.is_none_or(|c| records < c)
        && deadline.is_none_or(|d| std::time::Instant::now() < d)
        && !stop.load(std::sync::atomic::Ordering::Relaxed)
    {
        let Some(line) = client.next_streamed(std::time::Duration::from_millis(200))? else { continue };
        let (Some(at), Some(dir), Some(hex)) =
            (line["at_us"].as_u64(), line["dir"].as_str(), line["frame"].as_str())
        else {
            continue;
        };
        let su = crate::report::unhex(hex)?;
        records += 1;
        let sent = dir == "tx";
        if let (Some(image), Some(path)) = (image.as_mut(), pcap) {
            let direction = if sent { Direction::Sent } else { Direction::Received };
            append_record(
                image,
                LINKTYPE_MTP2_WITH_PHDR,
                tdm_base::Instant::from_micros(at),
                direction,
                0,
                &su,
            );
            // Written as it comes, so that a trace stopped by a signal leaves a whole file.
            std::fs::write(path, &image).map_err(|e| format!("{}: {e}", path.display()))?;
            continue;
        }
        let arrow = if sent { "->" } else { "<-" };
        let text = describe_su(&su, format);
        if writeln!(std::io::stdout(), "{:>6}.{:06} {span} {arrow} {text}", at / 1_000_000, at % 1_000_000)
            .is_err()
        {
            return Ok(());
        }
    }
    if let Some(path) = pcap {
        if image.as_ref().is_some_and(|i| i.len() == 24) {
            std::fs::write(path, image.unwrap_or_default())
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        eprintln!("{records} signal unit(s) of {span} written to {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circuits_print_as_runs_of_one_state() {
        let span = json!({"signaling": {"circuits": [
            {"cic": 1, "state": "idle"}, {"cic": 2, "state": "idle"}, {"cic": 3, "state": "blocked local maintenance"},
            {"cic": 4, "state": "idle"}, {"cic": 17, "state": "idle"},
        ]}});
        assert_eq!(
            status_lines(&span, 2),
            "  CIC 1-2: idle\n  CIC 3: blocked local maintenance\n  CIC 4: idle\n  CIC 17: idle\n"
        );
    }
}
