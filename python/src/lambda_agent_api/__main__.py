"""``python -m lambda_agent_api``: the same as the ``lambda-agent-api`` command."""

import sys

from lambda_agent_api.cli import main

sys.exit(main())
