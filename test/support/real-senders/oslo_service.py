"""A trivial WSGI service behind oslo.middleware's Healthcheck, as an OpenStack API deploys it.

    /usr/bin/python3 oslo_service.py PORT RABBITMQ_DOWN_FILE DISABLE_BY_FILE_PATH

Serves on 127.0.0.1:PORT (0: the OS picks; the bound port is printed as `listening on <port>`).
GET /healthcheck is answered by oslo_middleware.healthcheck.Healthcheck with detailed=True and
the backends disable_by_file (DISABLE_BY_FILE_PATH) and rabbitmq: the custom plugin of
rabbit_check.py, found by stevedore through the entry point its .dist-info directory (on
sys.path, since it sits beside this script) declares, exactly as if it had been pip-installed.
"""
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from oslo_middleware.healthcheck import Healthcheck


def service(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'the service itself\n']


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main():
    port, down_file, disable_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = Healthcheck(service, {
        'backends': 'disable_by_file,rabbitmq',
        'detailed': True,
        'disable_by_file_path': disable_path,
        'rabbitmq_down_file': down_file,
    })
    loaded = sorted(ext.name for ext in app._backends)
    if loaded != ['disable_by_file', 'rabbitmq']:
        sys.exit('healthcheck backends loaded: %s' % loaded)
    server = make_server('127.0.0.1', port, app, handler_class=QuietHandler)
    print('listening on %d' % server.server_port, flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
