#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tdm_ss7::isup::fuzz::isup_message(data));
