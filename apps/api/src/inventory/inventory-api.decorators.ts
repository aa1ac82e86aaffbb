import { RequireScope } from '@faultline/platform';
import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** Every inventory route: read scope, bearer auth, and the errors they share. */
export const InventoryRoute = () =>
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
