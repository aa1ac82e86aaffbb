import { RequireScope } from '@faultline/platform';
import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** A read-scope route: bearer auth, the read scope, and the errors every such route shares. */
export const ReadRoute = () =>
  applyDecorators(
    RequireScope('read'),
    ApiBearerAuth(),
    ApiBadRequestResponse({
      description:
        'Invalid query; `errors` names each bad parameter as {path, reason}, e.g. /cursor',
    }),
    ApiUnauthorizedResponse({ description: 'Missing, unknown or revoked token' }),
    ApiForbiddenResponse({ description: 'The token lacks the read scope' }),
  );

export const ApiUnknown = (what: string) =>
  ApiNotFoundResponse({ description: `No such ${what}: {statusCode: 404, error, message}` });
