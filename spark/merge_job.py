"""spark-submit entry point of the merge job (EMR Serverless, the Docker image).

    spark-submit --py-files ledgerflow_spark.zip merge_job.py --source claims --bucket <bucket> --all-pending
"""

import sys

from ledgerflow_spark.merge import main

if __name__ == "__main__":
    sys.exit(main())
