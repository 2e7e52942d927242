"""Child requests (CloneContext / ExecuteRequest / ReleaseClonedContext), tests/modules/child.cc."""
import os
import unittest

import harness

TEST_MODULE_DIR = os.environ.get("HTTPSERV_TEST_MODULE_DIR", "")
HELLO = b"hello world\n"


def so(name):
    path = os.path.join(TEST_MODULE_DIR, name + ".so")
    if not os.path.exists(path):
        raise AssertionError(f"module not built: {path}")
    return path


class ChildCase(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = harness.make_docroot({"hello.txt": HELLO, "big.bin": b"Z" * 200000})
        cls.class_server = harness.Server(cls.root, args=["--module", f"C={so('child')}"], start=False)
        cls.class_server.start()

    @classmethod
    def tearDownClass(cls):
        cls.class_server.close()
        harness.shutil.rmtree(cls.root, True)

    def get(self, target, method="GET", body=b"", headers=()):
        c = self.connect(timeout=10)
        return c.request(method, target, [("Connection", "close")] + list(headers), body=body)


class ChildRequests(ChildCase):
    def test_child_answers_the_client(self):
        r = self.get("/parent?mode=stream&url=/hello.txt")
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.assertEqual(r.header("Content-Type"), "text/plain")  # the child's headers
        self.class_server.wait_for_log(r"child: completion hr=0x00000000 bytes=12")

    def test_pending_from_map_path_waits_for_the_child(self):
        # Microsoft's ExecuteRequest sample: OnMapPath runs a child request and returns
        # PENDING; the request waits there, and the completion is for RQ_MAP_PATH.
        r = self.get("/mapped")
        self.assertEqual((r.status, r.body), (200, HELLO))
        self.class_server.wait_for_log(
            r"child: completion hr=0x00000000 bytes=12 notification=0x80000000")

    def test_child_error_status_goes_to_the_client(self):
        r = self.get("/parent?mode=stream&url=/missing.txt")
        self.assertEqual(r.status, 404)

    def test_large_static_child(self):
        r = self.get("/parent?mode=stream&url=/big.bin")
        self.assertEqual(r.body, b"Z" * 200000)

    def test_buffered_child_goes_into_the_parents_response(self):
        r = self.get("/parent?mode=buffer&url=/hello.txt")
        self.assertEqual((r.status, r.body), (200, b"before[" + HELLO + b"]after"))

    def test_no_headers_keeps_the_parents_head(self):
        r = self.get("/parent?mode=noheaders&url=/hello.txt")
        self.assertEqual(r.status, 202)
        self.assertEqual(r.header("X-Parent"), "1")
        self.assertEqual(r.body, HELLO)

    def test_child_sees_its_parent_and_flags_and_variables(self):
        r = self.get("/parent?mode=buffer&url=/who")
        self.assertEqual(r.body, b"before[parent=1 root=1 flags=0x20 var=1]after")
        # The root itself: no parent, and (as documented) no root context either.
        self.assertEqual(self.get("/who").body, b"parent=0 root=0 flags=0x00 var=")

    def test_child_reads_the_cloned_body(self):
        body = b"x" * 100000
        r = self.get("/parent?mode=entity&url=/body", method="POST", body=body,
                     headers=[("Content-Length", str(len(body)))])
        self.assertEqual(r.body, b"child got 100000 bytes")

    def test_synchronous_execute_is_refused(self):
        self.assertEqual(self.get("/parent?mode=sync&url=/hello.txt").body, b"hr=0x80070032")

    def test_a_clone_executes_once(self):
        r = self.get("/parent?mode=twice&url=/hello.txt")
        self.assertEqual(r.body, HELLO)
        self.class_server.wait_for_log(r"child: second=0x8007139F")

    def test_nesting_is_limited_to_ten_levels(self):
        self.assertEqual(self.get("/deep?n=3").body, b"depth=3")
        self.assertEqual(self.get("/deep?n=10").body, b"depth=10")
        self.assertEqual(self.get("/deep?n=12").body, b"hr=0x800703E9 at depth=10")

    def test_clone_never_released_is_released_with_the_parent(self):
        for _ in range(3):
            self.assertEqual(self.get("/parent?mode=keep&url=/hello.txt").body, HELLO)
        self.assertServes(self.class_server)


class ChildShutdown(harness.ServerTestCase):
    def test_no_request_left_at_shutdown(self):
        root = self.tempdir({"hello.txt": HELLO})
        srv = self.start_server(root=root, args=["--module", f"C={so('child')}"])
        c = self.connect(srv, timeout=10)
        r = c.request("GET", "/parent?mode=keep&url=/hello.txt", [("Connection", "close")])
        self.assertEqual(r.body, HELLO)
        self.assertEqual(srv.stop(), 0)
        self.assertNotIn("still pending", srv.log_text())


if __name__ == "__main__":
    unittest.main()
