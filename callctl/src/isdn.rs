//! ISDN PRI as a [`SignalingStack`]: a Q.931 [`Interface`] (with its Q.921 data link) on the
//! D-channel, TS16 of an E1.

use crate::model::CallError;
use crate::stack::{SignalingChannel, SignalingStack, StackCall, StackEvent};
use tdm_base::{Cause, Duration, Instant};
use tdm_isdn::Side;
use tdm_isdn::q921::LINK_TIMERS;
use tdm_isdn::q931::{self, CallId, Event, Interface, InterfaceConfig, OutgoingCall};
use tdm_isdn::wire::ie::PartyNumber;

/// The D-channel of an E1 primary rate interface.
pub const D_CHANNEL: u8 = 16;

/// How one span runs ISDN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsdnSpanConfig {
    /// Network side (the exchange) or user side.
    pub side: Side,
    /// Timer values replacing the standard defaults, by name (`T200`, `T203` of Q.921; `T301`
    /// to `T316` of Q.931).
    pub timers: Vec<(String, Duration)>,
}

impl IsdnSpanConfig {
    /// Standard timers on `side`.
    pub fn new(side: Side) -> Self {
        IsdnSpanConfig { side, timers: Vec::new() }
    }

    /// The interface configuration, or why a timer override cannot be used (unknown name,
    /// out of the standard's range).
    pub fn interface_config(&self) -> Result<InterfaceConfig, String> {
        let mut config = InterfaceConfig::new(self.side);
        for (name, value) in &self.timers {
            let link_timer = LINK_TIMERS.iter().any(|def| def.name.eq_ignore_ascii_case(name));
            let result = if link_timer {
                config.link.timers.set_by_name(name, *value)
            } else {
                config.timers.set_by_name(name, *value)
            };
            result.map_err(|e| e.to_string())?;
        }
        Ok(config)
    }
}

/// One span's ISDN signaling.
pub struct IsdnStack {
    interface: Interface,
}

impl IsdnStack {
    /// A stack with its data link down.
    pub fn new(config: &IsdnSpanConfig) -> Result<Self, String> {
        Ok(IsdnStack { interface: Interface::new(config.interface_config()?) })
    }

    /// The Q.931 interface, for its channels and counters.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }
}

fn call_id(call: StackCall) -> CallId {
    CallId::from_u32(call.0)
}

fn stack_call(call: CallId) -> StackCall {
    StackCall(call.as_u32())
}

fn number(text: &str) -> Result<PartyNumber, CallError> {
    if !crate::model::valid_number(text) {
        return Err(CallError::BadNumber(text.to_string()));
    }
    PartyNumber::unknown_isdn(text).ok_or_else(|| CallError::BadNumber(text.to_string()))
}

impl From<q931::CallError> for CallError {
    fn from(error: q931::CallError) -> Self {
        match error {
            q931::CallError::LinkDown => CallError::LinkDown,
            q931::CallError::NoChannel | q931::CallError::ChannelUnavailable(_) => CallError::NoChannel,
            q931::CallError::TooManyCalls => CallError::TooManyCalls,
            q931::CallError::UnknownCall => CallError::WrongState("ended".into()),
            q931::CallError::WrongState(state) => CallError::WrongState(state.to_string()),
            q931::CallError::RestartInProgress => CallError::RestartInProgress,
        }
    }
}

impl SignalingStack for IsdnStack {
    fn description(&self) -> &'static str {
        match self.interface.side() {
            Side::Network => "ISDN PRI network side",
            Side::User => "ISDN PRI user side",
        }
    }

    fn signaling_channel(&self) -> SignalingChannel {
        SignalingChannel::Hdlc { timeslot: D_CHANNEL }
    }

    fn is_network_side(&self) -> bool {
        self.interface.side() == Side::Network
    }

    fn is_link_up(&self) -> bool {
        self.interface.is_link_up()
    }

    fn start(&mut self, now: Instant) {
        self.interface.start(now);
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) {
        self.interface.handle_frame(now, frame);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.interface.handle_timeout(now);
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.interface.poll_timeout()
    }

    fn poll_transmit(&mut self, now: Instant, buffer: &mut [u8]) -> Option<usize> {
        self.interface.poll_transmit(now, buffer)
    }

    fn poll_event(&mut self) -> Option<StackEvent> {
        loop {
            let event = match self.interface.poll_event()? {
                Event::LinkUp => StackEvent::LinkUp,
                Event::LinkDown => StackEvent::LinkDown,
                Event::Incoming { call, called, calling, timeslot, .. } => StackEvent::Incoming {
                    call: stack_call(call),
                    called: called.digits_str().to_string(),
                    calling: calling.map(|n| n.digits_str().to_string()),
                    timeslot: Some(timeslot),
                },
                Event::Proceeding { call } => StackEvent::Proceeding { call: stack_call(call) },
                Event::Alerting { call, .. } => StackEvent::Alerting { call: stack_call(call) },
                Event::Connected { call, .. } => StackEvent::Connected { call: stack_call(call) },
                Event::Status { call, cause, .. } => StackEvent::Problem { call: stack_call(call), cause },
                Event::Released { call, cause, remote } => {
                    StackEvent::Released { call: stack_call(call), cause, remote }
                }
                Event::RestartCompleted { .. } => StackEvent::RestartCompleted,
                Event::RestartReceived { .. } => StackEvent::RestartReceived,
                Event::RestartFailed { .. } => StackEvent::RestartFailed,
                // Calls are placed en bloc with "sending complete"; progress and notifications
                // change nothing in the common model.
                Event::MoreDigitsWanted { .. } | Event::Progress { .. } | Event::Notify { .. } => continue,
            };
            return Some(event);
        }
    }

    fn place_call(
        &mut self,
        now: Instant,
        called: &str,
        calling: Option<&str>,
    ) -> Result<StackCall, CallError> {
        let mut request = OutgoingCall::new("0").ok_or_else(|| CallError::BadNumber(called.to_string()))?;
        request.called = number(called)?;
        request.calling = calling.map(number).transpose()?;
        Ok(stack_call(self.interface.place_call(now, &request)?))
    }

    fn alert(&mut self, _now: Instant, call: StackCall) -> Result<(), CallError> {
        Ok(self.interface.alert(call_id(call), false)?)
    }

    fn answer(&mut self, now: Instant, call: StackCall) -> Result<(), CallError> {
        Ok(self.interface.answer(now, call_id(call))?)
    }

    fn hangup(&mut self, now: Instant, call: StackCall, cause: Cause) -> Result<(), CallError> {
        Ok(self.interface.hangup(now, call_id(call), cause)?)
    }

    fn restart(&mut self, now: Instant) -> Result<(), CallError> {
        Ok(self.interface.restart(now, q931::RestartScope::Interface)?)
    }

    fn timeslot(&self, call: StackCall) -> Option<u8> {
        self.interface.call_timeslot(call_id(call))
    }

    fn state_text(&self, call: StackCall) -> String {
        self.interface.call_state(call_id(call)).map(|state| state.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_isdn::wire::lapd::MAX_FRAME_LEN;

    fn exchange(network: &mut IsdnStack, user: &mut IsdnStack, now: Instant) {
        let mut buffer = [0u8; MAX_FRAME_LEN];
        loop {
            let mut moved = false;
            while let Some(len) = network.poll_transmit(now, &mut buffer) {
                user.handle_frame(now, &buffer[..len]);
                moved = true;
            }
            while let Some(len) = user.poll_transmit(now, &mut buffer) {
                network.handle_frame(now, &buffer[..len]);
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    fn events(stack: &mut IsdnStack) -> Vec<StackEvent> {
        core::iter::from_fn(|| stack.poll_event()).collect()
    }

    #[test]
    fn a_call_through_two_stacks_reads_in_the_common_model() {
        let mut network = IsdnStack::new(&IsdnSpanConfig::new(Side::Network)).unwrap();
        let mut user = IsdnStack::new(&IsdnSpanConfig::new(Side::User)).unwrap();
        assert_eq!((network.description(), user.is_network_side()), ("ISDN PRI network side", false));
        assert_eq!(user.signaling_channel(), SignalingChannel::Hdlc { timeslot: 16 });
        let now = Instant::ZERO;
        network.start(now);
        user.start(now);
        exchange(&mut network, &mut user, now);
        assert_eq!(events(&mut network), vec![StackEvent::LinkUp]);
        assert_eq!(events(&mut user), vec![StackEvent::LinkUp]);
        let call = user.place_call(now, "1004", Some("5678")).unwrap();
        assert_eq!(user.timeslot(call), Some(1));
        assert_eq!(user.state_text(call), "U1 call initiated");
        exchange(&mut network, &mut user, now);
        let offered = events(&mut network);
        let [StackEvent::Incoming { call: incoming, called, calling, timeslot }] = &offered[..] else {
            panic!("{offered:?}")
        };
        assert_eq!((called.as_str(), calling.as_deref(), *timeslot), ("1004", Some("5678"), Some(1)));
        network.alert(now, *incoming).unwrap();
        network.answer(now, *incoming).unwrap();
        exchange(&mut network, &mut user, now);
        assert_eq!(
            events(&mut user),
            vec![
                StackEvent::Proceeding { call },
                StackEvent::Alerting { call },
                StackEvent::Connected { call }
            ]
        );
        network.hangup(now, *incoming, Cause::UserBusy).unwrap();
        exchange(&mut network, &mut user, now);
        assert_eq!(
            events(&mut user),
            vec![StackEvent::Released { call, cause: Cause::UserBusy, remote: true }]
        );
        assert_eq!(user.state_text(call), "");
    }

    #[test]
    fn bad_numbers_and_bad_timers_are_refused() {
        let mut user = IsdnStack::new(&IsdnSpanConfig::new(Side::User)).unwrap();
        assert_eq!(user.place_call(Instant::ZERO, "12x", None), Err(CallError::BadNumber("12x".into())));
        assert_eq!(user.place_call(Instant::ZERO, "1", Some("")), Err(CallError::BadNumber(String::new())));
        let mut config = IsdnSpanConfig::new(Side::User);
        config.timers.push(("T309".into(), Duration::from_secs(6)));
        config.timers.push(("T200".into(), Duration::from_millis(500)));
        let interface = config.interface_config().unwrap();
        assert_eq!(interface.timers.get(q931::CallTimer::T309), Duration::from_secs(6));
        assert_eq!(interface.link.timers.get(tdm_isdn::q921::LinkTimer::T200), Duration::from_millis(500));
        config.timers.push(("T999".into(), Duration::from_secs(1)));
        assert!(config.interface_config().unwrap_err().contains("T999"));
        let mut short = IsdnSpanConfig::new(Side::User);
        short.timers.push(("T309".into(), Duration::from_secs(1)));
        assert!(short.interface_config().is_err(), "T309 below its 6 s minimum");
    }
}
