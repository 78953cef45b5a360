//! The restart procedure (Q.931 §5.5) and the other messages on the global call reference.

use super::channels::{ChannelState, is_b_channel};
use super::interface::{Event, Interface, PendingRestart, RestartScope};
use super::timers::{CallTimer, N316};
use crate::wire::ie::{ChannelId, RestartClass};
use crate::wire::q931::{CallRef, Message, MessageType};
use tdm_base::{Cause, Instant};

impl Interface {
    /// Messages on the global call reference: RESTART, RESTART ACKNOWLEDGE, STATUS; anything
    /// else is answered with STATUS cause 81 (§5.8.3.2 e).
    pub(crate) fn handle_global(&mut self, now: Instant, message: &Message) {
        match message.message_type {
            MessageType::Restart => self.handle_restart(message),
            MessageType::RestartAcknowledge => self.handle_restart_acknowledge(message),
            MessageType::Status => {}
            _ => self.send_status(message.call_ref.reply(), 0, Cause::InvalidCallReference, &[]),
        }
        let _ = now;
    }

    /// RESTART from the peer: release the calls on the channels named, idle the channels, and
    /// acknowledge with the same restart indicator and channel.
    fn handle_restart(&mut self, message: &Message) {
        let reply = message.call_ref.reply();
        let Some(class) = message.ies.restart else {
            self.send_status(reply, 0, Cause::MandatoryIeMissing, &[crate::wire::ie::id::RESTART_INDICATOR]);
            return;
        };
        let scope = match class {
            RestartClass::IndicatedChannels => {
                match message.ies.channel_id.and_then(|c| c.single_channel()) {
                    Some(ts) if is_b_channel(ts) => RestartScope::Channel(ts),
                    Some(_) => {
                        self.send_status(reply, 0, Cause::ChannelDoesNotExist, &[]);
                        return;
                    }
                    None => {
                        self.send_status(
                            reply,
                            0,
                            Cause::InvalidIeContents,
                            &[crate::wire::ie::id::CHANNEL_ID],
                        );
                        return;
                    }
                }
            }
            RestartClass::SingleInterface | RestartClass::AllInterfaces => RestartScope::Interface,
            RestartClass::Unknown(_) => {
                self.send_status(
                    reply,
                    0,
                    Cause::InvalidIeContents,
                    &[crate::wire::ie::id::RESTART_INDICATOR],
                );
                return;
            }
        };
        self.clear_for_restart(scope, ChannelState::Idle);
        let mut ack = Message::new(reply, MessageType::RestartAcknowledge);
        ack.ies.restart = Some(class);
        ack.ies.channel_id = message.ies.channel_id;
        self.send(&ack);
        self.push_event(Event::RestartReceived { scope });
    }

    fn handle_restart_acknowledge(&mut self, message: &Message) {
        let Some(pending) = self.restart else { return };
        let acknowledged = match (pending.scope, message.ies.channel_id.and_then(|c| c.single_channel())) {
            (RestartScope::Channel(ts), Some(acked)) => ts == acked,
            (RestartScope::Channel(_), None) => false,
            (RestartScope::Interface, _) => message.ies.restart != Some(RestartClass::IndicatedChannels),
        };
        if !acknowledged {
            return;
        }
        self.restart = None;
        self.global_timers.stop(CallTimer::T316);
        self.set_channels(pending.scope, |state| {
            if state == ChannelState::Restarting { ChannelState::Idle } else { state }
        });
        self.push_event(Event::RestartCompleted { scope: pending.scope });
    }

    /// Releases the calls of `scope` (cause 41, no messages) and sends RESTART under T316.
    pub(crate) fn start_restart(&mut self, now: Instant, scope: RestartScope) {
        self.clear_for_restart(scope, ChannelState::Restarting);
        self.restart = Some(PendingRestart { scope, expiries: 0 });
        self.send_restart(scope);
        self.global_timers.set(CallTimer::T316, self.deadline(CallTimer::T316, now));
    }

    fn send_restart(&mut self, scope: RestartScope) {
        let mut message = Message::new(CallRef::global(false), MessageType::Restart);
        match scope {
            RestartScope::Channel(ts) => {
                message.ies.restart = Some(RestartClass::IndicatedChannels);
                message.ies.channel_id = Some(ChannelId::timeslot(ts, true));
            }
            RestartScope::Interface => message.ies.restart = Some(RestartClass::AllInterfaces),
        }
        self.send(&message);
    }

    /// T316: send RESTART again, up to N316 expiries; then the channels stay in maintenance.
    pub(crate) fn t316_expired(&mut self, now: Instant) {
        let Some(mut pending) = self.restart else { return };
        pending.expiries += 1;
        if pending.expiries >= N316 {
            self.restart = None;
            self.set_channels(pending.scope, |state| {
                if state == ChannelState::Restarting { ChannelState::Maintenance } else { state }
            });
            self.push_event(Event::RestartFailed { scope: pending.scope });
            return;
        }
        self.restart = Some(pending);
        self.send_restart(pending.scope);
        self.global_timers.set(CallTimer::T316, self.deadline(CallTimer::T316, now));
    }

    /// Releases every call in `scope` (calls without a channel too, for the whole interface)
    /// and puts the channels into `state`.
    fn clear_for_restart(&mut self, scope: RestartScope, state: ChannelState) {
        for slot in 0..self.calls.len() as u16 {
            let Some(call) = self.calls[usize::from(slot)].as_ref() else { continue };
            let affected = match scope {
                RestartScope::Interface => true,
                RestartScope::Channel(ts) => call.timeslot == Some(ts),
            };
            if affected {
                self.free_call(slot, Cause::TemporaryFailure, false);
            }
        }
        self.set_channels(scope, |_| state);
    }

    fn set_channels(&mut self, scope: RestartScope, mut change: impl FnMut(ChannelState) -> ChannelState) {
        let timeslots: &mut dyn Iterator<Item = u8> = match scope {
            RestartScope::Channel(ts) => &mut core::iter::once(ts),
            RestartScope::Interface => &mut (1..=super::channels::MAX_TIMESLOT),
        };
        for ts in timeslots {
            if let Some(old) = self.channels.state(ts) {
                self.channels.set(ts, change(old));
            }
        }
    }
}
