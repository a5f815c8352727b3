/*
 * r4hil-fakelab: a fake BPI-R4 lab on loopback, in virtual time.
 *
 * Serves the same interfaces as the real lab (the router's SSH, Home Assistant's
 * REST API, the plug's HTTP API) plus a control endpoint for virtual time and
 * physical injections, and describes them all in DIR/lab.json. The router, the
 * ONU and HA's shell commands run in the lab's own network namespace
 * (sandbox/netns.h): they reach the lab and nothing else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "r4hil/isotime.h"
#include "sandbox/keys.h"
#include "sandbox/netns.h"
#include "sandbox/rootfs.h"
#include "servers/control.h"
#include "servers/faults.h"
#include "servers/ha.h"
#include "core/httpd.h"
#include "servers/plug.h"
#include "servers/shellcmd.h"
#include "servers/tcpfwd.h"
#include "core/loop.h"
#include "world/modelfs.h"
#include "core/truth.h"
#include "world/world.h"

#define PLUG_ENTITY "switch.internet"
#define ROUTER_ALIASES "192.168.1.254 bpi-r4 router"
#define ONU_ALIASES "onu"
#define DEFAULT_START_MS 1772442000000LL /* 2026-03-02T09:00:00Z */
#define MAX_OVERLAYS 8

struct options {
	const char *dir;
	const char *overlays[MAX_OVERLAYS];
	int n_overlays;
	const char *automations;
	const char *ha_config;
	fl_ms start;
	int quiet;
	int check; /* --check: load the HA files, start nothing */
	const char *plug; /* the plug's API type, e.g. "shelly-gen2" */
};

struct lab {
	struct options opt;
	char *path_buf[64];
	int n_paths;
	struct fl_loop *loop;
	struct fl_truth *truth;
	struct fl_world *world;
	struct fl_ha *ha;
	struct fl_httpd *ha_httpd, *plug_httpd, *control_httpd;
	struct fl_control control;
	struct fl_plug_device plug;
	struct fl_faults faults;
	char plug_password[33];
	struct fl_shellcmd shell;
	char ha_token[65], control_token[65], hw_token[65];
	int ssh_port;
	int onu_ssh_port;
	struct fl_tcpfwd *onu_fwd; /* the harness's `ssh onu`, from the host into the lab's namespace */
	char *harness_pub; /* the harness's public key, authorized on the router and the ONU */
};

static volatile sig_atomic_t stop_signal, in_setup;

static void on_signal(int sig)
{
	/*
	 * Setup (loading 200 000 automations, booting) has no loop to return to: end
	 * at once. What it started dies with it (bwrap --die-with-parent, the
	 * namespace), and a harness that asked for the stop removes the directory.
	 */
	if (in_setup)
		_exit(128 + sig);
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: r4hil-fakelab --dir DIR [--overlay DIR]... [--automations FILE]\n"
		"                     [--ha-config FILE] [--start ISO8601] [--plug TYPE] [--quiet]\n"
		"\n"
		"Start a fake BPI-R4 lab on 127.0.0.1 in virtual time and describe it in\n"
		"DIR/lab.json. Runs until SIGINT/SIGTERM or POST /control/shutdown. The\n"
		"router and the ONU run in a network namespace of the lab's own (needs root).\n"
		"\n"
		"  --dir DIR           run directory (created; must be empty or absent)\n"
		"  --overlay DIR       firmware overlay (the router's files/); repeat to layer\n"
		"                      (default: the reference overlay in fixtures/overlay)\n"
		"  --automations FILE  Home Assistant automations YAML (default: fixtures/ha/automations.yaml)\n"
		"  --ha-config FILE    Home Assistant configuration.yaml with shell_command\n"
		"                      (default: fixtures/ha/configuration.yaml)\n"
		"  --start ISO8601     virtual time at start (default 2026-03-02T09:00:00Z)\n"
		"  --plug TYPE         the plug's API: shelly-gen2 (default), shelly-gen1,\n"
		"                      tasmota, hue, pdudaemon, ha-switch (HA's switch service)\n"
		"  --quiet             do not print how to reach the lab\n"
		"  --check             only load --automations and --ha-config as the lab would:\n"
		"                      exit 0 if they load, 2 with the first error (no --dir)\n");
}

/* A path under the run directory; owned by the lab. */
static const char *lab_path(struct lab *lab, const char *rel)
{
	char *p;
	if (lab->n_paths == (int)(sizeof(lab->path_buf) / sizeof(lab->path_buf[0])) ||
	    asprintf(&p, "%s/%s", lab->opt.dir, rel) < 0)
		abort(); /* a programming error: raise path_buf */
	lab->path_buf[lab->n_paths++] = p;
	return p;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "overlay", required_argument, NULL, 'o' },
		{ "automations", required_argument, NULL, 'a' },
		{ "ha-config", required_argument, NULL, 'c' },
		{ "start", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", no_argument, NULL, 'k' },
		{ "plug", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	opt->start = DEFAULT_START_MS;
	opt->plug = "shelly-gen2";
	opt->automations = R4HIL_SOURCE_DIR "/fixtures/ha/automations.yaml";
	opt->ha_config = R4HIL_SOURCE_DIR "/fixtures/ha/configuration.yaml";
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': opt->dir = optarg; break;
		case 'o':
			if (opt->n_overlays == MAX_OVERLAYS) {
				fprintf(stderr, "r4hil-fakelab: at most %d overlays\n", MAX_OVERLAYS);
				return 2;
			}
			opt->overlays[opt->n_overlays++] = optarg;
			break;
		case 'a': opt->automations = optarg; break;
		case 'c': opt->ha_config = optarg; break;
		case 's':
			if (hil_iso_parse(optarg, &opt->start) < 0) {
				fprintf(stderr, "r4hil-fakelab: --start: expected an ISO 8601 time like "
						"2026-03-02T09:00:00Z, got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'q': opt->quiet = 1; break;
		case 'k': opt->check = 1; break;
		case 'p':
			if (strcmp(optarg, "ha-switch") != 0 && !fl_plug_handler(optarg)) {
				fprintf(stderr, "r4hil-fakelab: --plug: expected shelly-gen2, shelly-gen1, tasmota, "
						"hue, pdudaemon or ha-switch, got \"%s\"\n", optarg);
				return 2;
			}
			opt->plug = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if ((!opt->dir && !opt->check) || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (opt->n_overlays == 0)
		opt->overlays[opt->n_overlays++] = R4HIL_SOURCE_DIR "/fixtures/overlay";
	return 0;
}

static int random_token(char out[65])
{
	unsigned char raw[32];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
	return 0;
}

static int write_secret(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* A free TCP port on 127.0.0.1 for the router's dropbear (which binds it itself in the lab's namespace). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(sa.sin_port);
}

static int plug_get(void *ctx)
{
	return fl_world_plug_get(((struct lab *)ctx)->world);
}

static int plug_set(void *ctx, int on)
{
	struct lab *lab = ctx;
	if (lab->faults.plug_stuck)
		return 0; /* a welded relay: the API says yes, nothing moves */
	return fl_world_plug_set(lab->world, on);
}

static int router_ssh_up(void *ctx)
{
	struct lab *lab = ctx;
	return lab->world && strcmp(fl_world_router_state(lab->world), "up") == 0;
}

static int ha_switch_set(void *ctx, const char *entity, int on)
{
	return fl_world_plug_set(((struct lab *)ctx)->world, on);
}

static const struct fl_ha_switch_ops ha_plug_ops = { .set = ha_switch_set };

static int make_dirs(struct lab *lab)
{
	static const char *const dirs[] = { "", "/rootfs", "/image", "/model", "/run", "/keys", "/secrets",
					    "/ha", "/ha/config", "/ha/config/.ssh", "/logs",
					    "/onu", "/onu/rootfs", "/onu/model", "/onu/run" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s", lab->opt.dir, dirs[i]);
		if (mkdir(path, 0700) < 0 && !(errno == EEXIST && i == 0)) {
			fprintf(stderr, "r4hil-fakelab: failed to create %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int fail(const char *what, char *err)
{
	fprintf(stderr, "r4hil-fakelab: %s: %s\n", what, err ? err : strerror(errno));
	free(err);
	return -1;
}

/* Build the router's filesystem: template, overlays, then the lab's provisioning. */
static int provision_router(struct lab *lab)
{
	char *err = NULL;
	const char *rootfs = lab_path(lab, "rootfs");
	for (int i = 0; i < lab->opt.n_overlays; i++) {
		const char *tmpl = i == 0 ? R4HIL_BINARY_DIR "/rootfs-template" : NULL;
		if (fl_rootfs_assemble(tmpl, lab->opt.overlays[i], rootfs, &err) < 0)
			return fail("failed to assemble the router's rootfs", err);
	}
	char url[64], token[80];
	snprintf(url, sizeof(url), "HA_URL=http://127.0.0.1:%u", fl_httpd_port(lab->ha_httpd));
	snprintf(token, sizeof(token), "HA_TOKEN=%s", lab->ha_token);
	const char *const env[] = { url, token, NULL };
	if (fl_rootfs_set_env_file(rootfs, "etc/bpi-r4-ha.env", env, &err) < 0)
		return fail("failed to provision /etc/bpi-r4-ha.env", err);

	char *pub = NULL;
	if (fl_keys_client(lab_path(lab, "keys/harness_ed25519"), &lab->harness_pub, &err) < 0 ||
	    fl_keys_authorize(rootfs, lab->harness_pub, &err) < 0)
		return fail("failed to provision the harness's SSH key", err);
	if (fl_keys_client(lab_path(lab, "ha/config/.ssh/bpi_r4_ed25519"), &pub, &err) < 0 ||
	    fl_keys_authorize(rootfs, pub, &err) < 0)
		return fail("failed to provision HA's SSH key", err);
	free(pub);
	if (fl_keys_host(rootfs, lab->ssh_port, lab_path(lab, "keys/known_hosts"), &err) < 0 ||
	    fl_keys_host(rootfs, lab->faults.port, lab_path(lab, "keys/known_hosts"), &err) < 0)
		return fail("failed to create the router's host key", err);
	/* the firmware as flashed: what a sysupgrade writes back (world/flash.c) */
	if (fl_rootfs_assemble(rootfs, NULL, lab_path(lab, "image"), &err) < 0)
		return fail("failed to keep the router's firmware image", err);
	return 0;
}

/* The secrets no program's arguments may show, and where leaks go (world/argv_watch.c). */
static void write_argv_secrets(const struct lab *lab, const char *model)
{
	fl_modelfs_printf(model, "argv-secrets", "ha_token %s\nhw_token %s\ncontrol_token %s\n",
			  lab->ha_token, lab->hw_token, lab->control_token);
	fl_modelfs_writable(model, "argv-leaks");
}

/* The ONU's own Linux (`ssh onu`): the same template, the ONU's commands, its own keys. */
static int provision_onu(struct lab *lab)
{
	char *err = NULL, *pub = NULL;
	const char *rootfs = lab_path(lab, "onu/rootfs"), *model = lab_path(lab, "onu/model");
	if (fl_rootfs_assemble(R4HIL_BINARY_DIR "/rootfs-template", R4HIL_SOURCE_DIR "/fakes/sandbox/onu",
			       rootfs, &err) < 0)
		return fail("failed to assemble the ONU's rootfs", err);
	if (fl_keys_authorize(rootfs, lab->harness_pub, &err) < 0 ||
	    fl_keys_client(lab_path(lab, "ha/config/.ssh/onu_ed25519"), &pub, &err) < 0 ||
	    fl_keys_authorize(rootfs, pub, &err) < 0) {
		free(pub);
		return fail("failed to provision the ONU's SSH keys", err);
	}
	free(pub);
	if (fl_keys_host(rootfs, lab->onu_ssh_port, lab_path(lab, "keys/known_hosts"), &err) < 0)
		return fail("failed to create the ONU's host key", err);
	if (fl_modelfs_init(model) < 0)
		return fail("failed to create the ONU's model files", NULL);
	fl_modelfs_printf(model, "hw_url", "http://127.0.0.1:%u\n", fl_httpd_port(lab->control_httpd));
	fl_modelfs_printf(model, "hw_token", "%s\n", lab->hw_token);
	write_argv_secrets(lab, model);
	return 0;
}

/*
 * Everything the harness uses listens on the host's loopback by now: enter the
 * lab's own network namespace, where the sandboxes will run, and serve HA (the
 * router's pushes) and control (the shims' /hw) there at the same addresses.
 */
static int enter_lab_network(struct lab *lab)
{
	char *err = NULL;
	if (fl_netns_enter(&err) < 0)
		return fail("failed to create the lab's network namespace", err);
	int ret = fl_httpd_listen_here(lab->ha_httpd);
	if (!ret)
		ret = fl_httpd_listen_here(lab->control_httpd);
	errno = -ret;
	return ret < 0 ? fail("failed to serve HA and control in the lab's network namespace", NULL) : 0;
}

static int start_servers(struct lab *lab)
{
	lab->control = (struct fl_control){
		.loop = lab->loop, .truth = lab->truth, .control_token = lab->control_token,
		.hw_token = lab->hw_token, .truth_path = fl_truth_path(lab->truth),
	};
	lab->control_httpd = fl_httpd_start(lab->loop, "control", 0, fl_control_handle, &lab->control);
	lab->control.httpd = lab->control_httpd;
	lab->plug = (struct fl_plug_device){ .get = plug_get, .set = plug_set, .ctx = lab, .name = "internet" };
	/* Plugs with credentials get a password (a Hue API username): the harness must send it. */
	if (strcmp(lab->opt.plug, "shelly-gen1") == 0 || strcmp(lab->opt.plug, "tasmota") == 0 ||
	    strcmp(lab->opt.plug, "hue") == 0) {
		lab->plug.user = "admin";
		lab->plug.password = lab->plug_password;
	}
	fl_http_handler plug_fn = fl_plug_handler(lab->opt.plug);
	lab->faults = (struct fl_faults){ .loop = lab->loop, .truth = lab->truth, .plug_ctx = &lab->plug,
					  .plug_fn = plug_fn ? plug_fn : fl_plug_shelly_gen2_handle };
	lab->control.faults = &lab->faults;
	lab->plug_httpd = fl_httpd_start(lab->loop, "plug", 0, fl_faults_plug_handle, &lab->faults);
	lab->faults.plug_httpd = lab->plug_httpd;
	if (!lab->control_httpd || !lab->plug_httpd)
		return fail("failed to start the HTTP servers", NULL);

	lab->shell = (struct fl_shellcmd){
		.loop = lab->loop, .config_dir = lab_path(lab, "ha/config"),
		.ssh_config = lab_path(lab, "ha/ssh_config"), .log_path = lab_path(lab, "logs/shell_command.log"),
		.known_hosts = lab_path(lab, "keys/known_hosts"),
	};
	struct fl_ha_config hc = {
		.token = lab->ha_token, .automations_path = lab->opt.automations,
		.configuration_path = lab->opt.ha_config, .truth = lab->truth,
		.run_shell = fl_shellcmd_run, .run_shell_ctx = &lab->shell,
	};
	char *err = NULL;
	lab->ha = fl_ha_new(lab->loop, &hc, &err);
	if (!lab->ha)
		return fail("failed to load Home Assistant's automations", err);
	fl_ha_bind_switch(lab->ha, PLUG_ENTITY, &ha_plug_ops, lab);
	lab->faults.ha_fn = fl_ha_handle_http;
	lab->faults.ha_ctx = lab->ha;
	lab->ha_httpd = fl_httpd_start(lab->loop, "ha", 0, fl_faults_ha_handle, &lab->faults);
	lab->faults.ha_httpd = lab->ha_httpd;
	if (!lab->ha_httpd)
		return fail("failed to start the HA server", NULL);
	return 0;
}

/* A lab.json SSH entry: the harness's key, the lab's pinned host keys. */
static json_object *ssh_endpoint(struct lab *lab, int port)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "host", json_object_new_string("127.0.0.1"));
	json_object_object_add(e, "port", json_object_new_int(port));
	json_object_object_add(e, "user", json_object_new_string("root"));
	json_object_object_add(e, "key", json_object_new_string(lab_path(lab, "keys/harness_ed25519")));
	json_object_object_add(e, "known_hosts", json_object_new_string(lab_path(lab, "keys/known_hosts")));
	return e;
}

/* The plug as the harness must drive it: its API type, where, which relay, credentials. */
static json_object *plug_section(struct lab *lab)
{
	const char *type = lab->opt.plug;
	json_object *plug = json_object_new_object();
	char url[64];
	json_object_object_add(plug, "type", json_object_new_string(type));
	if (strcmp(type, "ha-switch") == 0) {
		json_object_object_add(plug, "entity", json_object_new_string(PLUG_ENTITY));
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%u", fl_httpd_port(lab->plug_httpd));
		json_object_object_add(plug, "url", json_object_new_string(url));
		json_object_object_add(plug, "id", json_object_new_string(strncmp(type, "shelly", 6) ? "1" : "0"));
	}
	if (strcmp(type, "pdudaemon") == 0)
		json_object_object_add(plug, "pdu", json_object_new_string("pdu-r4"));
	if (lab->plug.password) {
		if (strcmp(type, "hue") != 0)
			json_object_object_add(plug, "user", json_object_new_string(lab->plug.user));
		json_object_object_add(plug, "password_file",
				       json_object_new_string(lab_path(lab, "secrets/plug_password")));
	}
	json_object_object_add(plug, "ha_entity", json_object_new_string(PLUG_ENTITY));
	return plug;
}

static int write_lab_file(struct lab *lab)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("fakelab"));
	/* the harness reaches the router through the fault relay; HA goes direct */
	json_object_object_add(o, "router", ssh_endpoint(lab, lab->faults.port));
	json_object_object_add(o, "onu", ssh_endpoint(lab, lab->onu_ssh_port));
	json_object *ha = json_object_new_object();
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", fl_httpd_port(lab->ha_httpd));
	json_object_object_add(ha, "url", json_object_new_string(url));
	json_object_object_add(ha, "token_file", json_object_new_string(lab_path(lab, "secrets/ha_token")));
	json_object_object_add(o, "ha", ha);
	json_object_object_add(o, "plug", plug_section(lab));
	json_object *control = json_object_new_object();
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", fl_httpd_port(lab->control_httpd));
	json_object_object_add(control, "url", json_object_new_string(url));
	json_object_object_add(control, "token_file", json_object_new_string(lab_path(lab, "secrets/control_token")));
	json_object_object_add(o, "control", control);
	json_object *permits = json_object_new_array();
	json_object_array_add(permits, json_object_new_string("power"));
	json_object_array_add(permits, json_object_new_string("panic"));
	json_object_array_add(permits, json_object_new_string("mlo-lock"));
	json_object_array_add(permits, json_object_new_string("flash"));
	json_object_array_add(permits, json_object_new_string("gpio")); /* its rig: harness/target/gpio-fake.c */
	json_object_object_add(o, "permits", permits);
	int ret = json_object_to_file_ext(lab_path(lab, "lab.json"), o, JSON_C_TO_STRING_PRETTY);
	json_object_put(o);
	return ret;
}

static int setup(struct lab *lab)
{
	if (make_dirs(lab) < 0)
		return -1;
	if (random_token(lab->ha_token) < 0 || random_token(lab->control_token) < 0 ||
	    random_token(lab->hw_token) < 0)
		return fail("failed to read /dev/urandom", NULL);
	char plug_pw[65];
	if (random_token(plug_pw) < 0)
		return fail("failed to read /dev/urandom", NULL);
	snprintf(lab->plug_password, sizeof(lab->plug_password), "%.32s", plug_pw);
	if (write_secret(lab_path(lab, "secrets/ha_token"), lab->ha_token) < 0 ||
	    write_secret(lab_path(lab, "secrets/control_token"), lab->control_token) < 0 ||
	    write_secret(lab_path(lab, "secrets/plug_password"), lab->plug_password) < 0)
		return fail("failed to write the lab's secrets", NULL);
	lab->ssh_port = free_port();
	lab->loop = fl_loop_new(lab->opt.start);
	lab->truth = fl_truth_open(lab_path(lab, "truth.jsonl"), lab->loop);
	if (lab->ssh_port < 0 || !lab->loop || !lab->truth)
		return fail("failed to start", NULL);
	if (start_servers(lab) < 0)
		return -1;
	lab->faults.target_up = router_ssh_up;
	lab->faults.target_ctx = lab;
	if (fl_faults_ssh_relay_start(&lab->faults, lab->ssh_port) < 0)
		return fail("failed to start the SSH relay", NULL);
	/* the ONU's dropbear listens inside on the port the harness connects to on the host */
	lab->onu_fwd = fl_tcpfwd_start(lab->loop, 0);
	if (!lab->onu_fwd)
		return fail("failed to start the ONU's SSH forwarder", NULL);
	lab->onu_ssh_port = fl_tcpfwd_port(lab->onu_fwd);
	if (enter_lab_network(lab) < 0)
		return -1;
	if (provision_router(lab) < 0 || provision_onu(lab) < 0)
		return -1;

	const char *model = lab_path(lab, "model");
	const struct fl_ssh_host hosts[] = { { ROUTER_ALIASES, lab->ssh_port }, { ONU_ALIASES, lab->onu_ssh_port } };
	if (fl_shellcmd_write_ssh_config(lab->shell.ssh_config, hosts, 2) < 0)
		return fail("failed to write HA's ssh config", NULL);
	struct fl_world_config wc = {
		.loop = lab->loop, .truth = lab->truth, .ha = lab->ha,
		.rootfs = lab_path(lab, "rootfs"), .image = lab_path(lab, "image"), .model_dir = model, .run_dir = lab_path(lab, "run"),
		.routerd = R4HIL_BINARY_DIR "/r4hil-routerd", .ssh_port = lab->ssh_port,
		.plug_entity = PLUG_ENTITY,
		.onu_rootfs = lab_path(lab, "onu/rootfs"), .onu_model_dir = lab_path(lab, "onu/model"),
		.onu_run_dir = lab_path(lab, "onu/run"), .onu_ssh_port = lab->onu_ssh_port,
	};
	char *err = NULL;
	if (fl_modelfs_init(model) < 0)
		return fail("failed to create the model files", NULL);
	fl_modelfs_printf(model, "hw_url", "http://127.0.0.1:%u\n", fl_httpd_port(lab->control_httpd));
	fl_modelfs_printf(model, "hw_token", "%s\n", lab->hw_token);
	write_argv_secrets(lab, model);
	lab->world = fl_world_new(&wc, &err);
	if (!lab->world)
		return fail("failed to start the world model", err);
	lab->control.world = lab->world;
	/* Ready means booted: the router's boot jobs (rc.local...) are done, as after any reboot. */
	if (fl_loop_settle(lab->loop, 60000) < 0)
		fprintf(stderr, "r4hil-fakelab: the router's boot jobs still run after 60 s\n");
	return write_lab_file(lab) < 0 ? fail("failed to write lab.json", NULL) : 0;
}

static void teardown(struct lab *lab)
{
	fl_faults_stop(&lab->faults);
	fl_tcpfwd_stop(lab->onu_fwd);
	fl_world_free(lab->world);
	fl_httpd_stop(lab->control_httpd);
	fl_httpd_stop(lab->plug_httpd);
	fl_httpd_stop(lab->ha_httpd);
	fl_ha_free(lab->ha);
	fl_truth_close(lab->truth);
	fl_loop_free(lab->loop);
	for (int i = 0; i < lab->n_paths; i++)
		free(lab->path_buf[i]);
	free(lab->harness_pub);
}

static void print_banner(struct lab *lab)
{
	printf("r4hil-fakelab: ready: %s/lab.json\n", lab->opt.dir);
	if (lab->opt.quiet) {
		fflush(stdout);
		return;
	}
	printf("  router SSH:  ssh -p %d -i %s/keys/harness_ed25519 -o UserKnownHostsFile=%s/keys/known_hosts root@127.0.0.1\n",
	       lab->faults.port, lab->opt.dir, lab->opt.dir);
	printf("  ONU SSH:     ssh -p %d -i %s/keys/harness_ed25519 -o UserKnownHostsFile=%s/keys/known_hosts root@127.0.0.1\n",
	       lab->onu_ssh_port, lab->opt.dir, lab->opt.dir);
	printf("  HA:          http://127.0.0.1:%u (token in %s/secrets/ha_token)\n",
	       fl_httpd_port(lab->ha_httpd), lab->opt.dir);
	printf("  plug:        %s at http://127.0.0.1:%u\n", lab->opt.plug, fl_httpd_port(lab->plug_httpd));
	printf("  control:     http://127.0.0.1:%u/control/time (token in %s/secrets/control_token)\n",
	       fl_httpd_port(lab->control_httpd), lab->opt.dir);
	fflush(stdout);
}

/* A named input must be a regular file: a directory or a FIFO would fail late or hang. */
static int input_file_ok(const char *option, const char *path)
{
	struct stat st;
	const char *problem = stat(path, &st) < 0 ? strerror(errno)
			      : S_ISDIR(st.st_mode)   ? "is a directory, expected a YAML file"
			      : !S_ISREG(st.st_mode)  ? "is not a regular file, expected a YAML file"
						      : NULL;
	if (problem)
		fprintf(stderr, "r4hil-fakelab: %s: %s: %s\n", option, path, problem);
	return !problem;
}

/* --check: HA's files loaded exactly as a lab start loads them, nothing started. */
static int check_inputs(const struct options *opt)
{
	if (!input_file_ok("--automations", opt->automations) || !input_file_ok("--ha-config", opt->ha_config))
		return 2;
	struct fl_loop *loop = fl_loop_new(opt->start);
	struct fl_ha_config hc = { .token = "", .automations_path = opt->automations,
				   .configuration_path = opt->ha_config };
	char *err = NULL;
	struct fl_ha *ha = loop ? fl_ha_new(loop, &hc, &err) : NULL;
	if (!ha)
		fprintf(stderr, "r4hil-fakelab: %s\n", err ? err : "out of memory");
	fl_ha_free(ha);
	fl_loop_free(loop);
	free(err);
	return ha ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct lab lab = { 0 };
	int ret = parse_options(argc, argv, &lab.opt);
	if (ret)
		return ret;
	if (lab.opt.check)
		return check_inputs(&lab.opt);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	in_setup = 1;
	int setup_ret = setup(&lab);
	in_setup = 0;
	if (setup_ret < 0 || stop_signal) {
		teardown(&lab);
		return setup_ret < 0 ? 3 : 128 + stop_signal;
	}
	print_banner(&lab);
	while (!stop_signal && !lab.control.stop_requested) {
		if (fl_loop_iterate(lab.loop, 100) < 0) {
			perror("r4hil-fakelab: event loop");
			ret = 3;
			break;
		}
	}
	/* let the shutdown request's answer go out before the servers stop */
	for (int i = 0; i < 5; i++)
		fl_loop_iterate(lab.loop, 10);
	teardown(&lab);
	return ret;
}
