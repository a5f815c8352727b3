/*
 * pdudaemon's HTTP listener: GET /power/control/<on|off|reboot>?hostname=<pdu>&port=<n>.
 * It queues the request and answers at once, and has no status call: this plug
 * is switched, never read back.
 */
#include "target/plug-internal.h"
#include "r4hil/http.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pdudaemon_set(struct hil_plug *p, int on, char **err)
{
	struct hil_http_resp resp;
	char *url = NULL, *pdu = hil_plug_escape(p->pdu), *port = hil_plug_escape(p->id), *e = NULL;
	int ret = -ENOMEM;

	if (pdu && port && asprintf(&url, "%s/power/control/%s?hostname=%s&port=%s", p->base,
				    on ? "on" : "off", pdu, port) >= 0) {
		ret = hil_http_request_retry("GET", url, NULL, NULL, PLUG_TIMEOUT_MS, PLUG_ATTEMPTS,
					     &resp, &e);
		if (ret) {
			hil_transport_seterr(err, "failed to switch plug: pdudaemon: %s", e ? e : "");
		} else {
			if (resp.status != 200) {
				hil_transport_seterr(err, "failed to switch plug: pdudaemon %s %s port %s: HTTP %ld: %.200s",
						     p->base, p->pdu, p->id, resp.status, resp.body);
				ret = -EPROTO;
			}
			hil_http_resp_free(&resp);
		}
	}
	free(url);
	free(pdu);
	free(port);
	free(e);
	return ret;
}

const struct hil_plug_ops hil_plug_pdudaemon_ops = {
	.type = "pdudaemon",
	.set = pdudaemon_set,
	.get = NULL,
};
