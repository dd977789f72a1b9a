// SPDX-License-Identifier: MIT
/* nd_exec: exit status, both output streams, a missing tool. */
#include "exec.h"

#include <errno.h>
#include <stdlib.h>

#include "cleanup.h"
#include "tap.h"

int main(void)
{
	struct tap t = { 0 };
	const char *both[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	const char *big[] = { "sh", "-c", "yes x | head -c 200000; echo e >&2", NULL };
	const char *missing[] = { "netdock-no-such-tool", NULL };
	char *out = NULL, *err = NULL;
	int r;

	r = nd_exec(both, &out, &err);
	TAP_OK(&t, r == 3, "exit status is returned (%d)", r);
	TAP_STR_EQ(&t, out, "out\n", "stdout is captured");
	TAP_STR_EQ(&t, err, "err\n", "stderr is captured apart");
	free(out);
	free(err);
	out = err = NULL;
	r = nd_exec(big, &out, &err);
	TAP_OK(&t, r == 0 && out && strlen(out) == 200000,
	       "200,000 bytes of stdout while stderr is also written");
	TAP_STR_EQ(&t, err, "e\n", "stderr after a large stdout");
	free(out);
	free(err);
	r = nd_exec(missing, NULL, NULL);
	TAP_OK(&t, r == -ENOENT, "a tool on no path is -ENOENT (%d)", r);
	return tap_done(&t);
}
