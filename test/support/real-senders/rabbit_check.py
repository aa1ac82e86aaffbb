"""An operator's oslo.middleware healthcheck backend: the service's RabbitMQ connection.

Written the way a deployment adds its own check: a HealthcheckBaseExtension subclass returning a
HealthcheckResult, registered under the `oslo.middleware.healthcheck` entry-point namespace (see
the faultline_rabbit_check-1.0.dist-info directory beside this file) and named in the
middleware's `backends` option. For the test, "RabbitMQ is down" is the existence of the file
named by the `rabbitmq_down_file` option (the middleware's paste-deploy conf).
"""
import os

from oslo_middleware.healthcheck import pluginbase

BROKER = 'amqp://rabbit-1:5672'


class RabbitCheck(pluginbase.HealthcheckBaseExtension):
    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self.down_file = conf.get('rabbitmq_down_file')

    def healthcheck(self, server_port):
        if self.down_file and os.path.exists(self.down_file):
            return pluginbase.HealthcheckResult(
                available=False,
                reason='RabbitMQ connection failed',
                details='Unable to connect to AMQP server on %s: [Errno 111] ECONNREFUSED'
                % BROKER)
        return pluginbase.HealthcheckResult(
            available=True, reason='OK', details='Connected to %s' % BROKER)
