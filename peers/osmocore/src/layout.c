/* Size and field offsets of libosmocore's HDLC state as the installed header declares it, so the
 * Rust mirror of the struct can be checked against it in a test. */
#include <stddef.h>
#include <osmocom/core/isdnhdlc.h>

size_t tdm_osmo_isdnhdlc_vars_size(void)
{
	return sizeof(struct osmo_isdnhdlc_vars);
}

size_t tdm_osmo_isdnhdlc_vars_offset(int field)
{
	switch (field) {
	case 0: return offsetof(struct osmo_isdnhdlc_vars, state);
	case 1: return offsetof(struct osmo_isdnhdlc_vars, crc);
	case 2: return offsetof(struct osmo_isdnhdlc_vars, ffvalue);
	default: return (size_t)-1;
	}
}
