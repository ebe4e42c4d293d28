import { IsInt, Max, Min } from 'class-validator';
import { HttpEnvironment } from '#platform';

export class GatewayEnvironment extends HttpEnvironment {
  @IsInt({ message: 'GATEWAY_PORT must be an integer' })
  @Min(0)
  @Max(65535)
  GATEWAY_PORT: number = 3000;
}
