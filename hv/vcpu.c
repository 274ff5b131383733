/* SPDX-License-Identifier: MIT */
#include "hv/vcpu.h"

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	v->event = (struct pending_event){
		.valid = true,
		.vector = vector,
		.type = EVENT_HW_EXCEPTION,
		.has_error_code = has_error,
		.error_code = error,
	};
}
