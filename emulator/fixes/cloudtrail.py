"""CloudTrail: DeleteTrail by name or ARN."""

from typing import Any


def delete_trail_accepts_the_trail_name_or_arn() -> None:
    """DeleteTrail deletes the trail given by name or by ARN, and fails for an unknown trail.

    AWS: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteTrail.html
    ("Name: Specifies the name or the CloudTrail ARN of the trail to be deleted"; errors
    include TrailNotFoundException). moto 5.2.5 deletes by name only and silently ignores
    anything else, so amazon.aws.cloudtrail state=absent (which passes the ARN) reports
    the trail deleted while it stays.
    """
    from moto.cloudtrail.models import CloudTrailBackend

    def delete_trail(self: Any, name: str) -> None:
        trail = self.get_trail(name)  # by name or ARN; TrailNotFoundException otherwise
        for key, value in list(self.trails.items()):
            if value is trail:
                del self.trails[key]

    CloudTrailBackend.delete_trail = delete_trail


FIXES = [delete_trail_accepts_the_trail_name_or_arn]
