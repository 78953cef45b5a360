//! What a signalling point is configured with: its own point code and network, its link sets
//! (adjacent point, links as span + timeslot + SLC) and its routes. A system file maps onto
//! these structs; [`Mtp3Config::validate`] says what is wrong with one, field by field.

use super::timers::{MTP3_TIMER_COUNT, MTP3_TIMERS, Mtp3Timer};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, ServiceIndicator};
use crate::mtp2::LinkConfig;
use core::fmt;
use tdm_base::TimerDefs;

/// Most links in one link set (the SLC is 4 bits).
pub const MAX_LINKS_PER_SET: usize = 16;

/// One signalling link: where it runs and its code within the link set.
#[derive(Debug, Clone)]
pub struct SignallingLinkConfig {
    /// Signalling link code, 0–15, agreed with the adjacent point.
    pub slc: u8,
    /// The span (E1) the link runs on.
    pub span: u32,
    /// The timeslot, 1–31 (16 is the usual one).
    pub timeslot: u8,
    /// Level 2 parameters.
    pub mtp2: LinkConfig,
}

impl SignallingLinkConfig {
    /// A link with default level 2 parameters.
    pub fn new(slc: u8, span: u32, timeslot: u8) -> SignallingLinkConfig {
        SignallingLinkConfig { slc, span, timeslot, mtp2: LinkConfig::new() }
    }
}

/// The links toward one adjacent signalling point.
#[derive(Debug, Clone)]
pub struct LinkSetConfig {
    /// A name for status displays and route references.
    pub name: String,
    /// The adjacent signalling point (an exchange, or an STP).
    pub adjacent: PointCode,
    /// Up to 16 links; load is shared among them by SLS.
    pub links: Vec<SignallingLinkConfig>,
}

/// A destination reached through a link set (the adjacent point of each link set is a
/// destination of its own without being listed).
#[derive(Debug, Clone)]
pub struct RouteConfig {
    /// The destination point code.
    pub destination: PointCode,
    /// The name of the link set toward the STP that reaches it.
    pub link_set: String,
    /// Lower is preferred; equal priorities are used in configuration order.
    pub priority: u8,
}

/// A signalling point.
#[derive(Debug, Clone)]
pub struct Mtp3Config {
    /// This point's code.
    pub own_pc: PointCode,
    /// 14-bit ITU or 24-bit China point codes.
    pub format: PointCodeFormat,
    /// The network indicator sent, and required of received messages.
    pub ni: NetworkIndicator,
    /// Link sets.
    pub link_sets: Vec<LinkSetConfig>,
    /// Routes to destinations beyond the adjacent points.
    pub routes: Vec<RouteConfig>,
    /// T1–T5, T10, T21 and the link test timers.
    pub timers: TimerDefs<Mtp3Timer, MTP3_TIMER_COUNT>,
    /// The signalling link test pattern, 1–15 octets.
    pub test_pattern: Vec<u8>,
    /// The service indicator of link tests sent (1; some national networks use 2). Both are
    /// answered.
    pub test_si: ServiceIndicator,
    /// User parts present here; messages for any other are answered with UPU.
    pub user_parts: Vec<ServiceIndicator>,
    /// Messages a link set may hold while traffic changes over or back, or waits for room.
    pub holding_capacity: usize,
    /// User messages handed to a link's level 2 at most (sent, unacknowledged or waiting);
    /// the rest wait at level 3, so that management messages never queue behind more than
    /// this many (64 MSUs of 20 octets are 160 ms of a 64 kbit/s link).
    pub link_queue_limit: usize,
}

impl Mtp3Config {
    /// A point with no link sets yet, ISUP and TUP as its user parts, default timers.
    pub fn new(own_pc: PointCode, format: PointCodeFormat, ni: NetworkIndicator) -> Mtp3Config {
        Mtp3Config {
            own_pc,
            format,
            ni,
            link_sets: Vec::new(),
            routes: Vec::new(),
            timers: TimerDefs::new(&MTP3_TIMERS),
            test_pattern: b"TDM-SS7 SLT".to_vec(),
            test_si: ServiceIndicator::Testing,
            user_parts: vec![ServiceIndicator::Tup, ServiceIndicator::Isup],
            holding_capacity: 2048,
            link_queue_limit: 64,
        }
    }

    /// Checks every value and reference.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fits = |pc: PointCode| PointCode::new(self.format, pc.value()).is_ok();
        if !fits(self.own_pc) {
            return Err(ConfigError::PointCodeTooWide(self.own_pc));
        }
        if self.test_pattern.is_empty() || self.test_pattern.len() > 15 {
            return Err(ConfigError::TestPatternLength(self.test_pattern.len()));
        }
        let mut timeslots: Vec<(u32, u8)> = Vec::new();
        for (i, set) in self.link_sets.iter().enumerate() {
            if self.link_sets[..i].iter().any(|other| other.name == set.name) {
                return Err(ConfigError::DuplicateLinkSet(set.name.clone()));
            }
            if !fits(set.adjacent) {
                return Err(ConfigError::PointCodeTooWide(set.adjacent));
            }
            if set.adjacent == self.own_pc {
                return Err(ConfigError::AdjacentIsOwnPointCode(set.name.clone()));
            }
            if set.links.is_empty() || set.links.len() > MAX_LINKS_PER_SET {
                return Err(ConfigError::LinkCount { set: set.name.clone(), count: set.links.len() });
            }
            for (j, link) in set.links.iter().enumerate() {
                if link.slc > 15 {
                    return Err(ConfigError::SlcTooLarge { set: set.name.clone(), slc: link.slc });
                }
                if set.links[..j].iter().any(|other| other.slc == link.slc) {
                    return Err(ConfigError::DuplicateSlc { set: set.name.clone(), slc: link.slc });
                }
                if link.timeslot == 0 || link.timeslot > 31 {
                    return Err(ConfigError::BadTimeslot { span: link.span, timeslot: link.timeslot });
                }
                if timeslots.contains(&(link.span, link.timeslot)) {
                    return Err(ConfigError::TimeslotInUse { span: link.span, timeslot: link.timeslot });
                }
                timeslots.push((link.span, link.timeslot));
            }
        }
        for route in &self.routes {
            if !fits(route.destination) {
                return Err(ConfigError::PointCodeTooWide(route.destination));
            }
            if !self.link_sets.iter().any(|set| set.name == route.link_set) {
                return Err(ConfigError::UnknownLinkSet(route.link_set.clone()));
            }
        }
        Ok(())
    }
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A point code does not fit the configured format.
    PointCodeTooWide(PointCode),
    /// Two link sets share a name.
    DuplicateLinkSet(String),
    /// A link set's adjacent point is this point.
    AdjacentIsOwnPointCode(String),
    /// A link set has no links, or more than 16.
    LinkCount { set: String, count: usize },
    /// An SLC above 15.
    SlcTooLarge { set: String, slc: u8 },
    /// Two links of a set share an SLC.
    DuplicateSlc { set: String, slc: u8 },
    /// A timeslot outside 1–31.
    BadTimeslot { span: u32, timeslot: u8 },
    /// Two links on the same span and timeslot.
    TimeslotInUse { span: u32, timeslot: u8 },
    /// A route names a link set that does not exist.
    UnknownLinkSet(String),
    /// The test pattern is empty or longer than 15 octets.
    TestPatternLength(usize),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::PointCodeTooWide(pc) => {
                write!(f, "point code {} does not fit the format", pc.value())
            }
            ConfigError::DuplicateLinkSet(name) => write!(f, "link set {name:?} is defined twice"),
            ConfigError::AdjacentIsOwnPointCode(name) => {
                write!(f, "link set {name:?}: the adjacent point code is our own")
            }
            ConfigError::LinkCount { set, count } => {
                write!(f, "link set {set:?} has {count} links (1 to 16)")
            }
            ConfigError::SlcTooLarge { set, slc } => write!(f, "link set {set:?}: SLC {slc} is above 15"),
            ConfigError::DuplicateSlc { set, slc } => write!(f, "link set {set:?}: SLC {slc} is used twice"),
            ConfigError::BadTimeslot { span, timeslot } => {
                write!(f, "span {span} timeslot {timeslot} is not a 1–31 timeslot")
            }
            ConfigError::TimeslotInUse { span, timeslot } => {
                write!(f, "span {span} timeslot {timeslot} carries two links")
            }
            ConfigError::UnknownLinkSet(name) => write!(f, "route via unknown link set {name:?}"),
            ConfigError::TestPatternLength(len) => write!(f, "test pattern of {len} octets (1 to 15)"),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Mtp3Config {
        let mut config =
            Mtp3Config::new(PointCode::china(1, 1, 1), PointCodeFormat::China24, NetworkIndicator::National);
        config.link_sets.push(LinkSetConfig {
            name: "stp".into(),
            adjacent: PointCode::china(2, 2, 2),
            links: vec![SignallingLinkConfig::new(0, 0, 16), SignallingLinkConfig::new(1, 1, 16)],
        });
        config.routes.push(RouteConfig {
            destination: PointCode::china(9, 9, 9),
            link_set: "stp".into(),
            priority: 0,
        });
        config
    }

    #[test]
    fn a_sound_configuration_passes_and_each_mistake_is_named() {
        assert_eq!(base().validate(), Ok(()));
        let mut c = base();
        c.link_sets[0].links[1].slc = 0;
        assert_eq!(c.validate(), Err(ConfigError::DuplicateSlc { set: "stp".into(), slc: 0 }));
        let mut c = base();
        c.link_sets[0].links[1].slc = 16;
        assert_eq!(c.validate(), Err(ConfigError::SlcTooLarge { set: "stp".into(), slc: 16 }));
        let mut c = base();
        c.link_sets[0].links[1].span = 0;
        assert_eq!(c.validate(), Err(ConfigError::TimeslotInUse { span: 0, timeslot: 16 }));
        let mut c = base();
        c.link_sets[0].links[0].timeslot = 0;
        assert_eq!(c.validate(), Err(ConfigError::BadTimeslot { span: 0, timeslot: 0 }));
        let mut c = base();
        c.routes[0].link_set = "nowhere".into();
        assert_eq!(c.validate(), Err(ConfigError::UnknownLinkSet("nowhere".into())));
        let mut c = base();
        c.format = PointCodeFormat::Itu14;
        assert_eq!(c.validate(), Err(ConfigError::PointCodeTooWide(PointCode::china(1, 1, 1))));
        let mut c = base();
        c.link_sets[0].adjacent = c.own_pc;
        assert_eq!(c.validate(), Err(ConfigError::AdjacentIsOwnPointCode("stp".into())));
        let mut c = base();
        c.link_sets[0].links.clear();
        assert_eq!(c.validate(), Err(ConfigError::LinkCount { set: "stp".into(), count: 0 }));
        let mut c = base();
        c.test_pattern = vec![0; 16];
        assert_eq!(c.validate(), Err(ConfigError::TestPatternLength(16)));
        let mut c = base();
        c.link_sets.push(c.link_sets[0].clone());
        assert_eq!(c.validate(), Err(ConfigError::DuplicateLinkSet("stp".into())));
    }
}
