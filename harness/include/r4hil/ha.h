/* Home Assistant REST API client. */
#ifndef R4HIL_HA_H
#define R4HIL_HA_H

#include <stddef.h>
#include <stdint.h>

struct hil_ha;
struct json_object;

/**
 * hil_ha_new() - create a client for one HA instance.
 * @base_url: e.g. "http://127.0.0.1:8123", without "/api"; a trailing '/' is dropped.
 * @token: long-lived access token, sent as a Bearer header and never logged.
 *
 * Return: a client to free with hil_ha_free(), or NULL with errno set
 * (EINVAL, ENOMEM).
 */
struct hil_ha *hil_ha_new(const char *base_url, const char *token);

/**
 * hil_ha_free() - free the client (the token copy is wiped). NULL-safe.
 */
void hil_ha_free(struct hil_ha *ha);

/* Calls in a row without any HTTP answer after which HA is broken. */
#define HIL_HA_BROKEN_AFTER 3

/*
 * hil_ha_broken() - 1 once HIL_HA_BROKEN_AFTER calls in a row got no answer at
 * all (timeouts, refused connections; an HTTP error such as 401 is an answer).
 * Every call then fails at once with -EIO naming HA and the last failure, so
 * that a scenario ends as an error instead of waiting out a timeout per poll.
 */
int hil_ha_broken(const struct hil_ha *ha);

/*
 * All calls below: @err, if non-NULL, receives a malloc'd message on failure
 * (caller frees) that includes HA's {"message"} text when there is one.
 * Common returns: -EINVAL for a malformed entity id/domain/service, -EACCES
 * for HTTP 401, -EPROTO for any other unexpected status or an unparsable
 * reply, or a hil_http_request() transport error (-ECONNREFUSED, -ETIMEDOUT...).
 */

/**
 * hil_ha_get_state() - GET /api/states/<entity>.
 * @state: receives the state string, malloc'd; the caller frees it.
 *
 * Return: 0; -ENOENT if HA does not know the entity (404); see above.
 */
int hil_ha_get_state(struct hil_ha *ha, const char *entity, char **state, char **err);

/**
 * hil_ha_set_state() - POST /api/states/<entity> {"state": @state}.
 *
 * Changes only HA's representation (201 created or 200 updated both succeed).
 * Return: 0; see above.
 */
int hil_ha_set_state(struct hil_ha *ha, const char *entity, const char *state, char **err);

/**
 * hil_ha_call_service() - POST /api/services/<domain>/<service>.
 * @json_body: service data as a JSON object text, e.g. {"entity_id":"switch.p"};
 *             NULL sends {}.
 *
 * Return: 0 once HA answered 200; HA rejects unknown services with 400, which
 * gives -EPROTO; see above.
 */
int hil_ha_call_service(struct hil_ha *ha, const char *domain, const char *service,
			const char *json_body, char **err);

/**
 * hil_ha_history_fn - called once per history row, in HA's order.
 * @attributes: the row's attributes, borrowed for the call only; may be NULL.
 * Times are Unix epoch milliseconds (UTC).
 */
typedef void (*hil_ha_history_fn)(void *arg, const char *entity, const char *state,
				  int64_t last_changed_ms, int64_t last_updated_ms,
				  struct json_object *attributes);

/**
 * hil_ha_history() - GET /api/history/period/<start>?filter_entity_id=...
 * @entities: @n entity ids (n >= 1; HA requires the filter).
 * @start_ms: period start, Unix epoch ms.
 * @end_ms: period end, Unix epoch ms; 0: none (HA's default).
 * @fn: called per row with @arg, entity by entity, rows in time order.
 *
 * Full rows are requested (not minimal_response). Rows whose timestamps do not
 * parse make the whole call fail with -EPROTO after the earlier rows were
 * delivered.
 *
 * Return: 0; see above.
 */
int hil_ha_history(struct hil_ha *ha, const char *const *entities, size_t n,
		   int64_t start_ms, int64_t end_ms, hil_ha_history_fn fn, void *arg,
		   char **err);

#endif
