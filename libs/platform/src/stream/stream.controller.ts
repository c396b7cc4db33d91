import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../http/api-docs.js';
import { ExecutionClass } from '../http/execution-class.js';
import { parseLastEventId } from './sse.js';
import { StreamHub } from './stream-hub.js';

@ApiTags('stream')
@Controller('api/governance')
export class StreamController {
  constructor(private readonly hub: StreamHub) {}

  @Get('stream')
  @RequireRole('viewer')
  @ExecutionClass('READ')
  @ApiOperation({
    summary: 'The control state as Server-Sent Events: a snapshot, then every change (docs/stream.md)',
    description:
      'A `snapshot` event first (or, with `Last-Event-ID`, the events after it), then one event per control-state change, each with its id; ' +
      'a `: hb` comment every WARDEN_STREAM_HEARTBEAT_MS (5 s). Scoped to the token\'s binding; approval decisions only for the caller\'s own requests.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (EventSource sends it on reconnect)' })
  @ApiOkResponse({ description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiErrors({ governance_unavailable: 503, stream_capacity: 503 })
  async stream(@CurrentPrincipal() principal: Principal, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const opened = await this.hub.open(principal, parseLastEventId(lastEventId));
    // From here the response is ours: Fastify neither buffers nor ends it.
    reply.hijack();
    this.hub.start(opened, reply.raw, reply.getHeaders());
  }
}
