//! A signalling point running on simulated spans: each link's signal units travel through the
//! driver's soft HDLC on its span and timeslot, paced by the board's block clock.
//!
//! This is the glue a running system needs between `tdm_ss7::mtp3::Mtp3` (sans-IO) and the
//! driver, kept small enough to move into the engine crate unchanged: after every 1 ms block
//! it hands received frames and HDLC errors to the point, runs its timers, and gives each
//! link's HDLC channel as many signal units as the line carries in that block (8 octets of a
//! 64 kbit/s timeslot per millisecond), so the links stay filled with FISUs between MSUs and
//! nothing queues up in the driver.
//!
//! A node reads its board's event channel and keeps only the HDLC events of its links; it is
//! meant to be the only reader of that board's events.
//!
//! Above it, [`circuits::CircuitNode`] adds a call-control user part (ISUP or TUP) and the
//! speech paths of its circuits, and [`bed::PointPair`] joins two such points on two boards
//! by two cables, the bench of the ISUP and TUP scenarios.

pub mod bed;
pub mod circuits;

use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{DriverHandle, Event, HdlcChannel};
use tdm_ss7::mtp2::LinePacer;
use tdm_ss7::mtp2::pcap::{self, Direction};
use tdm_ss7::mtp2::su::{MAX_SU_LEN, SignalUnit, SuKind};
use tdm_ss7::mtp3::{LinkId, Mtp3, Mtp3Config};

/// One link's binding to the driver.
struct BoundLink {
    id: LinkId,
    span: u32,
    timeslot: u8,
    channel: HdlcChannel,
    pacer: LinePacer,
}

/// Which signal units a capture keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureScope {
    /// Every signal unit, the FISUs that fill the line included (some 1300 a second each way).
    Everything,
    /// LSSUs and MSUs: what changes state or carries traffic.
    WithoutFisus,
}

/// A signalling point on one board.
pub struct MtpNode {
    /// The level 3 engine (and its links' level 2).
    pub point: Mtp3,
    handle: DriverHandle,
    links: Vec<BoundLink>,
    last_ms: Option<u64>,
    /// The signal units sent and received (as [`MtpNode::start_capture`] chose), as pcap
    /// records of link type 139, when `Some`.
    pub capture: Option<Vec<u8>>,
    capture_scope: CaptureScope,
    /// HDLC frames the driver refused to queue (should stay 0: the pacer keeps queues short).
    pub refused: u64,
}

impl MtpNode {
    /// Builds the point and opens an HDLC channel on every link's span and timeslot.
    pub fn new(handle: &DriverHandle, config: Mtp3Config) -> MtpNode {
        let point = Mtp3::new(config).unwrap_or_else(|e| panic!("MTP3 configuration: {e}"));
        let links = point
            .link_ids()
            .collect::<Vec<_>>()
            .into_iter()
            .map(|id| {
                let link = point.link_config(id).unwrap_or_else(|| panic!("link {id:?}"));
                let channel = handle
                    .open_hdlc(link.span, link.timeslot, HdlcConfig::default())
                    .unwrap_or_else(|e| panic!("HDLC on span {} TS{}: {e}", link.span, link.timeslot));
                BoundLink {
                    id,
                    span: link.span,
                    timeslot: link.timeslot,
                    channel,
                    pacer: LinePacer::timeslot(),
                }
            })
            .collect();
        MtpNode {
            point,
            handle: handle.clone(),
            links,
            last_ms: None,
            capture: None,
            capture_scope: CaptureScope::Everything,
            refused: 0,
        }
    }

    /// Starts capturing into a pcap image (link type 139) the signal units `scope` keeps.
    pub fn start_capture(&mut self, scope: CaptureScope) {
        self.capture = Some(pcap::file_header(pcap::LINKTYPE_MTP2_WITH_PHDR).to_vec());
        self.capture_scope = scope;
    }

    /// Starts the links (call once, at the board time `now_ms`).
    pub fn start(&mut self, now_ms: u64) {
        self.point.start(tdm_base::Instant::from_millis(now_ms));
    }

    /// Serves the point after the block that ended at `now_ms`: frames in, timers, frames out.
    pub fn pump(&mut self, now_ms: u64) {
        self.receive(now_ms);
        self.transmit(now_ms);
    }

    /// The first half of [`MtpNode::pump`]: the frames and HDLC errors the block brought go
    /// to the point, then its timers run. A user part takes the point's indications after
    /// this and hands it messages before [`MtpNode::transmit`], so an answer leaves in the
    /// same block.
    pub fn receive(&mut self, now_ms: u64) {
        let now = tdm_base::Instant::from_millis(now_ms);
        for event in self.handle.events().try_iter() {
            match event {
                Event::Hdlc { span, timeslot, frame, at_ms } => {
                    let Some(link) = self.links.iter().find(|l| l.span == span && l.timeslot == timeslot)
                    else {
                        continue;
                    };
                    let at = tdm_base::Instant::from_millis(at_ms);
                    if let Some(capture) = self.capture.as_mut()
                        && captured(self.capture_scope, frame.bytes())
                    {
                        pcap::append_record(
                            capture,
                            pcap::LINKTYPE_MTP2_WITH_PHDR,
                            at,
                            Direction::Received,
                            link_number(link.id),
                            frame.bytes(),
                        );
                    }
                    self.point.handle_su(at, link.id, frame.bytes());
                }
                Event::HdlcError { span, timeslot, at_ms, .. } => {
                    if let Some(link) = self.links.iter().find(|l| l.span == span && l.timeslot == timeslot) {
                        self.point.handle_su_error(tdm_base::Instant::from_millis(at_ms), link.id);
                    }
                }
                _ => {}
            }
        }
        self.point.handle_timeout(now);
    }

    /// The second half of [`MtpNode::pump`]: each link's HDLC channel gets as many signal
    /// units as the line carried since the last call.
    pub fn transmit(&mut self, now_ms: u64) {
        let now = tdm_base::Instant::from_millis(now_ms);
        let elapsed = now_ms - self.last_ms.unwrap_or(now_ms);
        self.last_ms = Some(now_ms);
        let mut out = [0u8; MAX_SU_LEN];
        for link in &mut self.links {
            link.pacer.advance(tdm_base::Duration::from_millis(elapsed.max(1)));
            while link.pacer.can_send() {
                let len = self.point.poll_transmit(now, link.id, &mut out);
                let su = &out[..len];
                link.pacer.charge(su);
                if link.channel.send(su).is_err() {
                    self.refused += 1;
                    break;
                }
                if let Some(capture) = self.capture.as_mut()
                    && captured(self.capture_scope, su)
                {
                    pcap::append_record(
                        capture,
                        pcap::LINKTYPE_MTP2_WITH_PHDR,
                        now,
                        Direction::Sent,
                        link_number(link.id),
                        su,
                    );
                }
            }
        }
    }
}

/// Whether `scope` keeps the signal unit `su` (one that does not parse is always kept: it is
/// what a capture is for).
fn captured(scope: CaptureScope, su: &[u8]) -> bool {
    scope == CaptureScope::Everything
        || SignalUnit::new_checked(su).map_or(true, |view| view.kind() != SuKind::Fisu)
}

/// The pcap link number of a link: set × 16 + link.
fn link_number(id: LinkId) -> u16 {
    (id.set * 16 + id.link) as u16
}
